DROP INDEX `order_lines_sku_idx`;--> statement-breakpoint
CREATE INDEX `order_lines_sku_order_idx` ON `order_lines` (`sku`,`order_id`);