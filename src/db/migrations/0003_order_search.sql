-- Search keys for rows made before these columns existed. Phones hold only digits and + ( ) - . space;
-- the key is the last 8 digits. The folded name here is only lower-cased: rows written by the
-- application get the full folding (domain/search.ts), and a name saved again is folded then.
UPDATE `orders` SET
  `customer_phone_key` = CASE WHEN `customer_phone` IS NULL THEN NULL
    ELSE substr(replace(replace(replace(replace(replace(replace(`customer_phone`, ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '.', ''), -8) END,
  `customer_search` = CASE WHEN `customer_name` IS NULL THEN NULL ELSE lower(`customer_name` || ' ' || coalesce(`customer_email`, '')) END;
--> statement-breakpoint
-- Word-prefix search over customers ("lindq" finds Karin Lindqvist). External content: the text is
-- orders.customer_search, triggers keep the index in step, and the FTS rowid is the order id, so
-- matches come out newest first by reading the index backwards.
CREATE VIRTUAL TABLE `orders_fts` USING fts5(
  customer_search,
  content='orders', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `orders_fts_insert` AFTER INSERT ON `orders` WHEN new.customer_search IS NOT NULL
BEGIN
  INSERT INTO `orders_fts` (rowid, customer_search) VALUES (new.id, new.customer_search);
END;
--> statement-breakpoint
CREATE TRIGGER `orders_fts_delete` AFTER DELETE ON `orders` WHEN old.customer_search IS NOT NULL
BEGIN
  INSERT INTO `orders_fts` (`orders_fts`, rowid, customer_search) VALUES ('delete', old.id, old.customer_search);
END;
--> statement-breakpoint
CREATE TRIGGER `orders_fts_update` AFTER UPDATE OF customer_search ON `orders`
BEGIN
  INSERT INTO `orders_fts` (`orders_fts`, rowid, customer_search)
    SELECT 'delete', old.id, old.customer_search WHERE old.customer_search IS NOT NULL;
  INSERT INTO `orders_fts` (rowid, customer_search)
    SELECT new.id, new.customer_search WHERE new.customer_search IS NOT NULL;
END;
--> statement-breakpoint
INSERT INTO `orders_fts` (rowid, customer_search)
SELECT id, customer_search FROM `orders` WHERE customer_search IS NOT NULL;
