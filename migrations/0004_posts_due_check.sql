-- A post is due exactly when it is scheduled; the CHECK on the rebuilt table holds that from now on.
-- SQLite adds a CHECK only by rebuilding the table. The migrator runs every migration with foreign keys
-- off (so dropping the old table cascades to nothing: logs, attempts and media links stay) and checks
-- them before it commits. Rows that break the rule are mended first.
UPDATE `posts` SET `due_at` = NULL WHERE `status` <> 'scheduled' AND `due_at` IS NOT NULL;--> statement-breakpoint
UPDATE `posts` SET `due_at` = coalesce(`scheduled_at`, `updated_at`)
  WHERE `status` = 'scheduled' AND `due_at` IS NULL;--> statement-breakpoint
-- waiting_on: what a post waits for, as state. The copy reads the old "Waiting: ..." notes one last time
-- (together with the account's status); from here on nothing parses those words.
CREATE TABLE `__new_posts` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`account_id` text NOT NULL,
	`rule_id` text,
	`status` text NOT NULL,
	`caption` text DEFAULT '' NOT NULL,
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
	`ai_model` text,
	`review_comment` text,
	`approved_at` integer,
	`approved_by` text,
	`current_attempt_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rule_id`) REFERENCES `rules`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "posts_due_at_when_scheduled" CHECK((`status` = 'scheduled') = (`due_at` IS NOT NULL))
);
--> statement-breakpoint
INSERT INTO `__new_posts`(
  "id", "client_id", "account_id", "rule_id", "status", "caption", "scheduled_at", "due_at", "published_at",
  "external_id", "permalink", "attempts", "sends", "last_error", "waiting_on", "source", "version", "slot_key",
  "ai_prompt", "ai_model", "review_comment", "approved_at", "approved_by", "current_attempt_id", "created_at", "updated_at"
) SELECT
  "id", "client_id", "account_id", "rule_id", "status", "caption", "scheduled_at", "due_at", "published_at",
  "external_id", "permalink", "attempts", "sends", "last_error",
  CASE WHEN "last_error" LIKE 'Waiting: %' AND "status" IN ('scheduled', 'pending_approval', 'draft') THEN (
    SELECT CASE a."status" WHEN 'needs_reauth' THEN 'account_reauth' WHEN 'disabled' THEN 'account_disabled' END
    FROM `accounts` a WHERE a."id" = `posts`."account_id"
  ) END,
  "source", "version", "slot_key",
  "ai_prompt", "ai_model", "review_comment", "approved_at", "approved_by", "current_attempt_id", "created_at", "updated_at"
FROM `posts`;--> statement-breakpoint
DROP TABLE `posts`;--> statement-breakpoint
ALTER TABLE `__new_posts` RENAME TO `posts`;--> statement-breakpoint
CREATE UNIQUE INDEX `posts_slot_key_unique` ON `posts` (`slot_key`);--> statement-breakpoint
CREATE INDEX `posts_due_idx` ON `posts` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `posts_status_scheduled_id_idx` ON `posts` (`status`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_client_scheduled_id_idx` ON `posts` (`client_id`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_account_scheduled_id_idx` ON `posts` (`account_id`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_scheduled_id_idx` ON `posts` (`scheduled_at`,`id`);--> statement-breakpoint
-- One word per happening: the attempt outcome now equals the transition event and the metric label.
UPDATE `publish_attempts` SET `outcome` = 'deferred' WHERE `outcome` = 'retry';--> statement-breakpoint
UPDATE `publish_attempts` SET `outcome` = 'unconfirmed'
  WHERE `outcome` = 'unknown'
    OR (`outcome` = 'pending' AND `id` IN (SELECT `current_attempt_id` FROM `posts` WHERE `status` = 'unconfirmed'));--> statement-breakpoint
UPDATE `post_logs` SET `step` = 'published' WHERE `step` = 'succeed';
