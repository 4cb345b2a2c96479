ALTER TABLE `stock_count_lines` ADD `on_hand_at_count` integer;--> statement-breakpoint
-- Lines of counts still open at migration: on hand now is the best known figure (what finishing
-- would have used until now); movements after this migration are kept. Finished lines stay null.
UPDATE `stock_count_lines` SET `on_hand_at_count` = (SELECT `on_hand` FROM `products` WHERE `products`.`id` = `stock_count_lines`.`product_id`) WHERE `count_id` IN (SELECT `id` FROM `stock_counts` WHERE `finished_at` IS NULL);
