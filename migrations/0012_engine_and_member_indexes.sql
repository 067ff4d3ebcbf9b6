DROP INDEX `posts_due_idx`;--> statement-breakpoint
CREATE INDEX `posts_status_client_scheduled_idx` ON `posts` (`status`,`client_id`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `posts_due_idx` ON `posts` (`status`,`due_at`,`id`);