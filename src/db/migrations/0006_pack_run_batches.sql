CREATE TABLE `pack_run_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`first_index` integer NOT NULL,
	`count` integer NOT NULL,
	`created_at` integer NOT NULL,
	`codes` text NOT NULL,
	`steps` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `pack_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pack_run_batches_run_idx` ON `pack_run_batches` (`run_id`,`first_index`);--> statement-breakpoint
DROP TABLE `pack_run_steps`;