ALTER TABLE `articles` ADD `favorites_count` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Existing favorites are counted once here; from now on each favorite and unfavorite moves it.
UPDATE `articles` SET `favorites_count` = (SELECT count(*) FROM `favorites` WHERE `favorites`.`article_id` = `articles`.`id`);
