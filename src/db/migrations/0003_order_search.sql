-- Phone key for rows made before the column existed: the last 8 digits (phones hold only digits and + ( ) - . space).
UPDATE `orders` SET `customer_phone_key` = substr(replace(replace(replace(replace(replace(replace(`customer_phone`, ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '.', ''), -8)
WHERE `customer_phone` IS NOT NULL;
--> statement-breakpoint
-- Word-prefix search over customer names and e-mails ("lindq" finds Karin Lindqvist, "ovreg" finds
-- Øvergård with diacritics removed). External content: the text lives in `orders`, triggers keep the
-- index in step, and the FTS rowid is the order id.
CREATE VIRTUAL TABLE `orders_fts` USING fts5(
  customer_name, customer_email,
  content='orders', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `orders_fts_insert` AFTER INSERT ON `orders` WHEN new.customer_name IS NOT NULL
BEGIN
  INSERT INTO `orders_fts` (rowid, customer_name, customer_email) VALUES (new.id, new.customer_name, new.customer_email);
END;
--> statement-breakpoint
CREATE TRIGGER `orders_fts_delete` AFTER DELETE ON `orders` WHEN old.customer_name IS NOT NULL
BEGIN
  INSERT INTO `orders_fts` (`orders_fts`, rowid, customer_name, customer_email) VALUES ('delete', old.id, old.customer_name, old.customer_email);
END;
--> statement-breakpoint
CREATE TRIGGER `orders_fts_update` AFTER UPDATE OF customer_name, customer_email ON `orders`
BEGIN
  INSERT INTO `orders_fts` (`orders_fts`, rowid, customer_name, customer_email)
    SELECT 'delete', old.id, old.customer_name, old.customer_email WHERE old.customer_name IS NOT NULL;
  INSERT INTO `orders_fts` (rowid, customer_name, customer_email)
    SELECT new.id, new.customer_name, new.customer_email WHERE new.customer_name IS NOT NULL;
END;
--> statement-breakpoint
INSERT INTO `orders_fts` (rowid, customer_name, customer_email)
SELECT id, customer_name, customer_email FROM `orders` WHERE customer_name IS NOT NULL;
