ALTER TABLE `orders` ADD `language` text;--> statement-breakpoint
ALTER TABLE `email_templates` DROP COLUMN `mode`;