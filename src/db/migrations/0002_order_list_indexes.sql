DROP INDEX `orders_status_id_idx`;--> statement-breakpoint
DROP INDEX `orders_custom_status_idx`;--> statement-breakpoint
ALTER TABLE `orders` ADD `customer_phone_key` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `customer_search` text;--> statement-breakpoint
CREATE INDEX `orders_created_idx` ON `orders` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_status_created_idx` ON `orders` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_custom_status_created_idx` ON `orders` (`custom_status_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_waiting_created_idx` ON `orders` (`created_at`,`id`) WHERE "orders"."waiting" = 1;--> statement-breakpoint
CREATE INDEX `orders_customer_email_idx` ON `orders` (`customer_email`);--> statement-breakpoint
CREATE INDEX `orders_customer_phone_key_idx` ON `orders` (`customer_phone_key`);