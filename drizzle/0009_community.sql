CREATE TABLE `article_slugs` (
	`slug` text PRIMARY KEY NOT NULL,
	`article_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `article_slugs_article_idx` ON `article_slugs` (`article_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` integer NOT NULL,
	`actor_id` integer,
	`actor_name` text NOT NULL,
	`door` text NOT NULL,
	`action` text NOT NULL,
	`target_kind` text,
	`target_id` integer,
	`target_label` text,
	`reason` text,
	`details` text,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `audit_log_action_idx` ON `audit_log` (`action`,`id`);--> statement-breakpoint
CREATE TABLE `invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` blob NOT NULL,
	`role` text NOT NULL,
	`note` text,
	`created_by_id` integer,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by_id` integer,
	`revoked_at` integer,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`used_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_hash_unique` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `invitations_created_idx` ON `invitations` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reporter_id` integer,
	`target_kind` text NOT NULL,
	`target_id` integer NOT NULL,
	`target_label` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by_id` integer,
	`resolution` text,
	`resolution_note` text,
	FOREIGN KEY (`reporter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`resolved_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `reports_open_idx` ON `reports` (`id`) WHERE "reports"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX `reports_target_idx` ON `reports` (`target_kind`,`target_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `reports_one_open_per_reporter` ON `reports` (`reporter_id`,`target_kind`,`target_id`) WHERE "reports"."resolved_at" is null;--> statement-breakpoint
CREATE TABLE `site_pages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`placement` text DEFAULT 'footer' NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `site_pages_slug_unique` ON `site_pages` (`slug`);--> statement-breakpoint
CREATE INDEX `site_pages_placement_idx` ON `site_pages` (`placement`,`position`,`id`);--> statement-breakpoint
CREATE TABLE `site_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `articles` ADD `hidden_at` integer;--> statement-breakpoint
ALTER TABLE `articles` ADD `hidden_cause` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `hidden_reason` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `hidden_by_id` integer;--> statement-breakpoint
CREATE INDEX `articles_listed_idx` ON `articles` (`published_at`,`id`,`hidden_at`) WHERE "articles"."published_at" is not null and "articles"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX `articles_hidden_idx` ON `articles` (`hidden_at`,`id`) WHERE "articles"."hidden_at" is not null;--> statement-breakpoint
ALTER TABLE `comments` ADD `hidden_at` integer;--> statement-breakpoint
ALTER TABLE `comments` ADD `hidden_cause` text;--> statement-breakpoint
ALTER TABLE `comments` ADD `hidden_reason` text;--> statement-breakpoint
ALTER TABLE `comments` ADD `hidden_by_id` integer;--> statement-breakpoint
CREATE INDEX `comments_created_idx` ON `comments` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `comments_hidden_idx` ON `comments` (`hidden_at`,`id`) WHERE "comments"."hidden_at" is not null;--> statement-breakpoint
ALTER TABLE `users` ADD `role` text DEFAULT 'author' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `suspended_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `suspended_until` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `suspension_reason` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_one_owner` ON `users` (`role`) WHERE "users"."role" = 'owner';--> statement-breakpoint
CREATE INDEX `users_created_idx` ON `users` (`created_at`,`id`);