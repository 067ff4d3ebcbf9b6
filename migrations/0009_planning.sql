CREATE TABLE `feed_items` (
	`client_id` text NOT NULL,
	`item_key` text NOT NULL,
	`feed_id` text,
	`title` text DEFAULT '' NOT NULL,
	`link` text,
	`published_at` integer,
	`post_ids` text NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`client_id`, `item_key`),
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`feed_id`) REFERENCES `feeds`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `feed_items_feed_idx` ON `feed_items` (`feed_id`,`seen_at`);--> statement-breakpoint
CREATE TABLE `feeds` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`url` text NOT NULL,
	`account_ids` text NOT NULL,
	`rewrite` integer DEFAULT false NOT NULL,
	`queue` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`etag` text,
	`last_modified` text,
	`last_checked_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `feeds_client_url_idx` ON `feeds` (`client_id`,`url`);--> statement-breakpoint
CREATE TABLE `post_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`file_name` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'dry_run' NOT NULL,
	`rows` text NOT NULL,
	`created_by` text NOT NULL,
	`report` text,
	`created_at` integer NOT NULL,
	`committed_at` integer,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `post_imports_client_idx` ON `post_imports` (`client_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `posting_times` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `posts` ADD `queued` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `posts` ADD `evergreen` text;--> statement-breakpoint
ALTER TABLE `posts` ADD `evergreen_source_id` text REFERENCES posts(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `posts` ADD `evergreen_round` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `posts_evergreen_round_idx` ON `posts` (`evergreen_source_id`,`evergreen_round`);