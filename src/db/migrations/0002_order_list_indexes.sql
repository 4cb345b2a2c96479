DROP INDEX `orders_custom_status_idx`;--> statement-breakpoint
ALTER TABLE `orders` ADD `customer_phone_key` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `customer_search` text;--> statement-breakpoint
CREATE INDEX `orders_custom_status_id_idx` ON `orders` (`custom_status_id`,`id`);--> statement-breakpoint
CREATE INDEX `orders_waiting_id_idx` ON `orders` (`id`) WHERE "orders"."waiting" = 1;--> statement-breakpoint
CREATE INDEX `orders_created_idx` ON `orders` (`created_at`);--> statement-breakpoint
CREATE INDEX `orders_customer_email_idx` ON `orders` (`customer_email`);--> statement-breakpoint
CREATE INDEX `orders_customer_phone_key_idx` ON `orders` (`customer_phone_key`);