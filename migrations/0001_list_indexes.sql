DROP INDEX `posts_status_scheduled_idx`;--> statement-breakpoint
DROP INDEX `posts_client_scheduled_idx`;--> statement-breakpoint
DROP INDEX `posts_account_status_idx`;--> statement-breakpoint
DROP INDEX `posts_scheduled_idx`;--> statement-breakpoint
CREATE INDEX `posts_status_scheduled_id_idx` ON `posts` (`status`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_client_scheduled_id_idx` ON `posts` (`client_id`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_account_scheduled_id_idx` ON `posts` (`account_id`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_scheduled_id_idx` ON `posts` (`scheduled_at`,`id`);