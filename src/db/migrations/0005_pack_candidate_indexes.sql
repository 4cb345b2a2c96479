-- The pack script reads every candidate order (status order, not waiting) with its lines in one
-- query. These covering indexes let that read come from two compact indexes instead of one random
-- row lookup per order and per line: the partial index holds only the candidates.
CREATE INDEX `orders_pack_candidates_idx` ON `orders` (`id`, `code`, `priority`, `placed_at`, `created_at`, `paid`, `approved`, `payment_method`, `lines_version`)
WHERE `status` = 'order' AND `waiting` = 0;
--> statement-breakpoint
CREATE INDEX `order_lines_pack_idx` ON `order_lines` (`order_id`, `sku`, `product_id`, `quantity`, `shipped_quantity`);
