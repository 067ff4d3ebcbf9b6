CREATE TABLE `labels` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`color` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "labels_color" CHECK("labels"."color" GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `labels_name_idx` ON `labels` (lower("name"));--> statement-breakpoint
CREATE TABLE `link_previews` (
	`url_hash` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`title` text,
	`description` text,
	`image_url` text,
	`site_name` text,
	`error` text,
	`fetched_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `post_group_media` (
	`group_id` text NOT NULL,
	`media_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`group_id`, `position`),
	FOREIGN KEY (`group_id`) REFERENCES `post_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `post_group_media_media_idx` ON `post_group_media` (`media_id`);--> statement-breakpoint
CREATE TABLE `post_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`caption` text DEFAULT '' NOT NULL,
	`first_comment` text DEFAULT '' NOT NULL,
	`scheduled_at` integer,
	`source` text DEFAULT 'manual' NOT NULL,
	`rule_id` text,
	`slot_key` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rule_id`) REFERENCES `rules`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `post_groups_slot_key_unique` ON `post_groups` (`slot_key`);--> statement-breakpoint
CREATE INDEX `post_groups_client_scheduled_idx` ON `post_groups` (`client_id`,`scheduled_at`);--> statement-breakpoint
CREATE TABLE `post_labels` (
	`post_id` text NOT NULL,
	`label_id` text NOT NULL,
	PRIMARY KEY(`post_id`, `label_id`),
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`label_id`) REFERENCES `labels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `post_labels_label_idx` ON `post_labels` (`label_id`,`post_id`);--> statement-breakpoint
CREATE TABLE `rule_labels` (
	`rule_id` text NOT NULL,
	`label_id` text NOT NULL,
	PRIMARY KEY(`rule_id`, `label_id`),
	FOREIGN KEY (`rule_id`) REFERENCES `rules`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`label_id`) REFERENCES `labels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `snippets` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`name` text NOT NULL,
	`text` text NOT NULL,
	`kind` text DEFAULT 'other' NOT NULL,
	`for_ai` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `snippets_client_name_idx` ON `snippets` (`client_id`,lower("name"));--> statement-breakpoint
ALTER TABLE `media` ADD `name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `media` ADD `thumb_key` text;--> statement-breakpoint
ALTER TABLE `media` ADD `poster_key` text;--> statement-breakpoint
ALTER TABLE `media` ADD `poster_status` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `media` ADD `frame_rate` real;--> statement-breakpoint
ALTER TABLE `media` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `media_client_name_idx` ON `media` (`client_id`,`name`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_posts` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`account_id` text NOT NULL,
	`rule_id` text,
	`status` text NOT NULL,
	`caption` text DEFAULT '' NOT NULL,
	`options` text,
	`scheduled_at` integer,
	`due_at` integer,
	`published_at` integer,
	`external_id` text,
	`permalink` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`waiting_on` text,
	`source` text DEFAULT 'manual' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`slot_key` text,
	`ai_prompt` text,
	`topic` text,
	`ai_caption` text,
	`ai_examples` text,
	`ai_model` text,
	`review_comment` text,
	`approved_at` integer,
	`approved_by` text,
	`current_attempt_id` text,
	`group_id` text,
	`group_overrides` text,
	`surface` text DEFAULT 'feed' NOT NULL,
	`first_comment` text DEFAULT '' NOT NULL,
	`first_comment_id` text,
	`first_comment_status` text DEFAULT 'none' NOT NULL,
	`first_comment_sent_at` integer,
	`first_comment_sends` integer DEFAULT 0 NOT NULL,
	`first_comment_retry_at` integer,
	`first_comment_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rule_id`) REFERENCES `rules`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`group_id`) REFERENCES `post_groups`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "posts_due_at_when_scheduled" CHECK(("__new_posts"."status" = 'scheduled') = ("__new_posts"."due_at" IS NOT NULL)),
	CONSTRAINT "posts_first_comment_status" CHECK(("__new_posts"."first_comment" = '') = ("__new_posts"."first_comment_status" = 'none'))
);
--> statement-breakpoint
INSERT INTO `__new_posts`("id", "client_id", "account_id", "rule_id", "status", "caption", "options", "scheduled_at", "due_at", "published_at", "external_id", "permalink", "attempts", "sends", "last_error", "waiting_on", "source", "version", "slot_key", "ai_prompt", "topic", "ai_caption", "ai_examples", "ai_model", "review_comment", "approved_at", "approved_by", "current_attempt_id", "created_at", "updated_at") SELECT "id", "client_id", "account_id", "rule_id", "status", "caption", "options", "scheduled_at", "due_at", "published_at", "external_id", "permalink", "attempts", "sends", "last_error", "waiting_on", "source", "version", "slot_key", "ai_prompt", "topic", "ai_caption", "ai_examples", "ai_model", "review_comment", "approved_at", "approved_by", "current_attempt_id", "created_at", "updated_at" FROM `posts`;--> statement-breakpoint
DROP TABLE `posts`;--> statement-breakpoint
ALTER TABLE `__new_posts` RENAME TO `posts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `posts_slot_key_unique` ON `posts` (`slot_key`);--> statement-breakpoint
CREATE INDEX `posts_due_idx` ON `posts` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `posts_status_scheduled_id_idx` ON `posts` (`status`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_client_scheduled_id_idx` ON `posts` (`client_id`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_account_scheduled_id_idx` ON `posts` (`account_id`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_scheduled_id_idx` ON `posts` (`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_client_published_idx` ON `posts` (`client_id`,`published_at`);--> statement-breakpoint
CREATE INDEX `posts_group_idx` ON `posts` (`group_id`);--> statement-breakpoint
CREATE INDEX `posts_comment_due_idx` ON `posts` (`first_comment_status`,`first_comment_retry_at`);--> statement-breakpoint
UPDATE `media` SET `name` = coalesce(`original_name`, ''), `updated_at` = `created_at`;
