-- Who registered each endpoint. Rows made before this are left null: nothing recorded who made
-- them, so no maker is guessed; only admins (an admin token, Settings → Webhooks) manage them.
ALTER TABLE `webhooks` ADD `created_by_type` text;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `created_by_id` integer;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `created_by_name` text;