CREATE TABLE `csv_uploads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token` text NOT NULL,
	`user_id` integer NOT NULL,
	`file_name` text NOT NULL,
	`content` blob NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `csv_uploads_token_unique` ON `csv_uploads` (`token`);--> statement-breakpoint
CREATE INDEX `csv_uploads_created_idx` ON `csv_uploads` (`created_at`);