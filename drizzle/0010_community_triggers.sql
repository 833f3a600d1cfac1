-- Custom SQL migration file, put your code below! --
-- The site's settings, its pages and its old article addresses change what readers see: their writes
-- move the content version like every other such table's (drizzle/0007).
CREATE TRIGGER `site_settings_insert_moves_content` AFTER INSERT ON `site_settings` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `site_settings_update_moves_content` AFTER UPDATE ON `site_settings` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `site_settings_delete_moves_content` AFTER DELETE ON `site_settings` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `site_pages_insert_moves_content` AFTER INSERT ON `site_pages` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `site_pages_update_moves_content` AFTER UPDATE ON `site_pages` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `site_pages_delete_moves_content` AFTER DELETE ON `site_pages` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_slugs_insert_moves_content` AFTER INSERT ON `article_slugs` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_slugs_update_moves_content` AFTER UPDATE ON `article_slugs` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_slugs_delete_moves_content` AFTER DELETE ON `article_slugs` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
-- a site that had accounts before roles: its first account is its owner, as on a new site
UPDATE `users` SET `role` = 'owner' WHERE `id` = (SELECT min(`id`) FROM `users`);
