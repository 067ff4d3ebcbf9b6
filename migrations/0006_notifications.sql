CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`channel` text NOT NULL,
	`target` text NOT NULL,
	`bundle` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`due_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_attempt_at` integer,
	`response_status` integer,
	`response_body` text,
	`last_error` text,
	`delivered_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_event_target_idx` ON `deliveries` (`event_id`,`channel`,`target`);--> statement-breakpoint
CREATE INDEX `deliveries_due_idx` ON `deliveries` (`due_at`) WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `deliveries_target_idx` ON `deliveries` (`target`,`created_at`);--> statement-breakpoint
CREATE INDEX `deliveries_created_idx` ON `deliveries` (`created_at`);--> statement-breakpoint
CREATE TABLE `email_suppressions` (
	`email` text NOT NULL,
	`scope` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`email`, `scope`)
);
--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`client_id` text,
	`created_at` integer NOT NULL,
	`data` text NOT NULL,
	`fanned_out_at` integer,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_unique` ON `events` (`id`);--> statement-breakpoint
CREATE INDEX `events_unfanned_idx` ON `events` (`seq`) WHERE "events"."fanned_out_at" IS NULL;--> statement-breakpoint
CREATE INDEX `events_type_idx` ON `events` (`type`,`seq`);--> statement-breakpoint
CREATE INDEX `events_client_idx` ON `events` (`client_id`,`seq`);--> statement-breakpoint
CREATE TABLE `notify_channels` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`client_id` text,
	`url_sealed` text NOT NULL,
	`url_hint` text NOT NULL,
	`secret_sealed` text,
	`events` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`paused_reason` text,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`failing_since` integer,
	`last_success_at` integer,
	`last_failure_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notify_channels_client_idx` ON `notify_channels` (`client_id`);--> statement-breakpoint
CREATE TABLE `notify_prefs` (
	`admin_id` text NOT NULL,
	`event_type` text NOT NULL,
	`mode` text NOT NULL,
	PRIMARY KEY(`admin_id`, `event_type`),
	FOREIGN KEY (`admin_id`) REFERENCES `admins`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `admins` ADD `timezone` text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE `admins` ADD `digest_hour` integer DEFAULT 8 NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `contact_emails` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `invites` ADD `single_use` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `invites` ADD `landing` text;--> statement-breakpoint
ALTER TABLE `invites` ADD `used_at` integer;