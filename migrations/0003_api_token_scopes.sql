ALTER TABLE `api_tokens` ADD `scope` text DEFAULT 'write' NOT NULL;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;--> statement-breakpoint
-- Tokens made before scopes existed could do everything, including running jobs: they become
-- `admin` so scripts using them keep working. New tokens default to `write`.
UPDATE `api_tokens` SET `scope` = 'admin';
