CREATE TABLE `cache_versions` (
	`id` integer PRIMARY KEY NOT NULL,
	`content` integer DEFAULT 1 NOT NULL,
	`comments` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `comment_versions` (
	`article_id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
