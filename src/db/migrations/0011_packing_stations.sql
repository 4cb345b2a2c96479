CREATE TABLE `station_scan_keys` (
	`station_id` integer NOT NULL,
	`key` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`station_id`, `key`),
	FOREIGN KEY (`station_id`) REFERENCES `stations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `station_scan_keys_created_idx` ON `station_scan_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `stations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`name` text NOT NULL,
	`current_order_id` integer,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`current_order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stations_user_name_unique` ON `stations` (`user_id`,`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `stations_current_order_unique` ON `stations` (`current_order_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `sounds_muted` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `station_id` integer REFERENCES stations(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `reported_from` text;--> statement-breakpoint
CREATE INDEX `deliveries_station_draft_idx` ON `deliveries` (`station_id`) WHERE "deliveries"."status" = 'draft';