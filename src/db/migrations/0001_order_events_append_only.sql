-- The order event log is append-only: history is never edited, and a deleted order keeps its rows.
CREATE TRIGGER `order_events_no_update` BEFORE UPDATE ON `order_events`
BEGIN
  SELECT RAISE(ABORT, 'order_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `order_events_no_delete` BEFORE DELETE ON `order_events`
BEGIN
  SELECT RAISE(ABORT, 'order_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `stock_ledger_no_update` BEFORE UPDATE ON `stock_ledger`
WHEN NEW.product_id IS NOT NULL OR OLD.product_id IS NULL
BEGIN
  SELECT RAISE(ABORT, 'stock_ledger is append-only');
END;
