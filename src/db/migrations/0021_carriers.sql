-- Carriers (Settings → Shipping → Carriers): accounts with encrypted credentials, the shop's shipping
-- methods mapped to a carrier and service, pickup or the station's own parcel IDs, every booking attempt
-- recorded before the carrier is called, and the labels it sent. Orders gain their shipping method;
-- parcels their booking and tracking link.
CREATE TABLE `carrier_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`test` integer DEFAULT true NOT NULL,
	`base_url` text,
	`credentials` text NOT NULL,
	`label_format` text NOT NULL,
	`parcel_weight_grams` integer DEFAULT 1000 NOT NULL,
	`sender_name` text NOT NULL,
	`sender_line1` text NOT NULL,
	`sender_line2` text,
	`sender_postal_code` text NOT NULL,
	`sender_city` text NOT NULL,
	`sender_country` text NOT NULL,
	`sender_phone` text,
	`sender_email` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `carrier_bookings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`delivery_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`carrier_kind` text NOT NULL,
	`service` text NOT NULL,
	`reference` text NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`parcel_count` integer NOT NULL,
	`carrier_ref` text,
	`owner` text NOT NULL,
	`problem` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`created_by` text NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `carrier_accounts`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `carrier_bookings_reference_unique` ON `carrier_bookings` (`reference`);--> statement-breakpoint
CREATE INDEX `carrier_bookings_delivery_idx` ON `carrier_bookings` (`delivery_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `carrier_bookings_one_pending` ON `carrier_bookings` (`delivery_id`) WHERE "carrier_bookings"."status" = 'pending';--> statement-breakpoint
CREATE TABLE `carrier_labels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`booking_id` integer NOT NULL,
	`format` text NOT NULL,
	`data` blob NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `carrier_bookings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `carrier_labels_booking_idx` ON `carrier_labels` (`booking_id`);--> statement-breakpoint
CREATE TABLE `shipping_methods` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`carrier_account_id` integer,
	`service` text,
	`is_default` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`carrier_account_id`) REFERENCES `carrier_accounts`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shipping_methods_code_unique` ON `shipping_methods` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `shipping_methods_one_default` ON `shipping_methods` (`is_default`) WHERE "shipping_methods"."is_default" = 1;--> statement-breakpoint
ALTER TABLE `orders` ADD `shipping_method` text;--> statement-breakpoint
ALTER TABLE `delivery_parcels` ADD `booking_id` integer;--> statement-breakpoint
ALTER TABLE `delivery_parcels` ADD `tracking_url` text;