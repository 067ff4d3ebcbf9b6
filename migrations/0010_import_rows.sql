CREATE TABLE `post_import_rows` (
	`import_id` text NOT NULL,
	`line` integer NOT NULL,
	`post_id` text NOT NULL,
	`media_ids` text NOT NULL,
	`waiting_at` integer,
	`waiting` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`import_id`, `line`),
	FOREIGN KEY (`import_id`) REFERENCES `post_imports`(`id`) ON UPDATE no action ON DELETE cascade
);
