CREATE TABLE `account_metrics` (
	`account_id` text NOT NULL,
	`day` text NOT NULL,
	`client_id` text NOT NULL,
	`platform` text NOT NULL,
	`collected_at` integer NOT NULL,
	`followers` integer,
	`views` integer,
	`reach` integer,
	`engagements` integer,
	`raw` text NOT NULL,
	PRIMARY KEY(`account_id`, `day`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `account_metrics_client_idx` ON `account_metrics` (`client_id`,`day`);--> statement-breakpoint
CREATE TABLE `metric_refusals` (
	`platform` text NOT NULL,
	`metric` text NOT NULL,
	`surface` text NOT NULL,
	`message` text NOT NULL,
	`refused_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `metric`, `surface`)
);
--> statement-breakpoint
CREATE TABLE `post_metrics` (
	`post_id` text NOT NULL,
	`horizon` text NOT NULL,
	`client_id` text NOT NULL,
	`account_id` text NOT NULL,
	`platform` text NOT NULL,
	`collected_at` integer NOT NULL,
	`views` integer,
	`reach` integer,
	`likes` integer,
	`comments` integer,
	`shares` integer,
	`saves` integer,
	`clicks` integer,
	`follows` integer,
	`watch_time_ms` integer,
	`raw` text NOT NULL,
	`error` text,
	PRIMARY KEY(`post_id`, `horizon`),
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `post_metrics_client_idx` ON `post_metrics` (`client_id`,`collected_at`);--> statement-breakpoint
CREATE INDEX `post_metrics_account_idx` ON `post_metrics` (`account_id`,`collected_at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `insights_blocked` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `guidance` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `guidance_updated_at` integer;--> statement-breakpoint
ALTER TABLE `clients` ADD `report_day` integer;--> statement-breakpoint
ALTER TABLE `posts` ADD `topic` text;--> statement-breakpoint
ALTER TABLE `posts` ADD `ai_caption` text;--> statement-breakpoint
ALTER TABLE `posts` ADD `ai_examples` text;--> statement-breakpoint
CREATE INDEX `posts_client_published_idx` ON `posts` (`client_id`,`published_at`);