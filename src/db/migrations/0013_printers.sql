CREATE TABLE `printers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text DEFAULT 'zpl' NOT NULL,
	`host` text NOT NULL,
	`port` integer DEFAULT 9100 NOT NULL,
	`dpi` integer DEFAULT 203 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `printers_name_unique` ON `printers` (`name`);--> statement-breakpoint
ALTER TABLE `stations` ADD `label_printer_id` integer REFERENCES printers(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `stations` ADD `auto_print` integer DEFAULT false NOT NULL;