CREATE TABLE `media_uses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`article_id` integer,
	`user_id` integer,
	`page_id` integer,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`page_id`) REFERENCES `site_pages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_uses_key_idx` ON `media_uses` (`key`);--> statement-breakpoint
CREATE INDEX `media_uses_article_idx` ON `media_uses` (`article_id`);--> statement-breakpoint
CREATE INDEX `media_uses_user_idx` ON `media_uses` (`user_id`);--> statement-breakpoint
CREATE INDEX `media_uses_page_idx` ON `media_uses` (`page_id`);--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`owner_id` integer,
	`type` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` integer NOT NULL,
	`url` text NOT NULL,
	`created_at` integer NOT NULL,
	`removed_at` integer,
	`removed_cause` text,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uploads_owner_key_unique` ON `uploads` (`owner_id`,`key`);--> statement-breakpoint
CREATE INDEX `uploads_key_idx` ON `uploads` (`key`);--> statement-breakpoint
CREATE INDEX `uploads_owner_idx` ON `uploads` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `uploads_created_idx` ON `uploads` (`created_at`) WHERE "uploads"."removed_at" is null;--> statement-breakpoint
ALTER TABLE `articles` ADD `cover_image` text;