DROP INDEX `articles_created_idx`;--> statement-breakpoint
DROP INDEX `articles_author_created_idx`;--> statement-breakpoint
ALTER TABLE `articles` ADD `body_html` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `published_at` integer;--> statement-breakpoint
CREATE INDEX `articles_published_idx` ON `articles` (`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `articles_author_published_idx` ON `articles` (`author_id`,`published_at`,`id`);--> statement-breakpoint
ALTER TABLE `article_tags` ADD `published_at` integer;--> statement-breakpoint
CREATE INDEX `article_tags_tag_published_idx` ON `article_tags` (`tag_id`,`published_at`,`article_id`);