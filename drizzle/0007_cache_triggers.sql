-- Every write that changes what a reader sees moves a version in the same transaction (src/cache/).
-- Comments move their own (the site's and their article's), so a comment leaves lists cached.
INSERT INTO `cache_versions` (`id`, `content`, `comments`) VALUES (1, 1, 1);
--> statement-breakpoint
CREATE TRIGGER `users_insert_moves_content` AFTER INSERT ON `users` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `users_update_moves_content` AFTER UPDATE ON `users` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `users_delete_moves_content` AFTER DELETE ON `users` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `articles_insert_moves_content` AFTER INSERT ON `articles` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `articles_update_moves_content` AFTER UPDATE ON `articles` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `articles_delete_moves_content` AFTER DELETE ON `articles` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `tags_insert_moves_content` AFTER INSERT ON `tags` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `tags_update_moves_content` AFTER UPDATE ON `tags` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `tags_delete_moves_content` AFTER DELETE ON `tags` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_insert_moves_content` AFTER INSERT ON `article_tags` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_update_moves_content` AFTER UPDATE ON `article_tags` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_delete_moves_content` AFTER DELETE ON `article_tags` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `favorites_insert_moves_content` AFTER INSERT ON `favorites` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `favorites_update_moves_content` AFTER UPDATE ON `favorites` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `favorites_delete_moves_content` AFTER DELETE ON `favorites` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `follows_insert_moves_content` AFTER INSERT ON `follows` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `follows_update_moves_content` AFTER UPDATE ON `follows` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `follows_delete_moves_content` AFTER DELETE ON `follows` BEGIN UPDATE `cache_versions` SET `content` = `content` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `comments_insert_moves_comments` AFTER INSERT ON `comments` BEGIN UPDATE `cache_versions` SET `comments` = `comments` + 1 WHERE `id` = 1; INSERT INTO `comment_versions` (`article_id`, `version`) SELECT NEW.`article_id`, 1 WHERE EXISTS (SELECT 1 FROM `articles` WHERE `id` = NEW.`article_id`) ON CONFLICT (`article_id`) DO UPDATE SET `version` = `version` + 1; END;
--> statement-breakpoint
CREATE TRIGGER `comments_update_moves_comments` AFTER UPDATE ON `comments` BEGIN UPDATE `cache_versions` SET `comments` = `comments` + 1 WHERE `id` = 1; INSERT INTO `comment_versions` (`article_id`, `version`) SELECT NEW.`article_id`, 1 WHERE EXISTS (SELECT 1 FROM `articles` WHERE `id` = NEW.`article_id`) ON CONFLICT (`article_id`) DO UPDATE SET `version` = `version` + 1; END;
--> statement-breakpoint
CREATE TRIGGER `comments_delete_moves_comments` AFTER DELETE ON `comments` BEGIN UPDATE `cache_versions` SET `comments` = `comments` + 1 WHERE `id` = 1; INSERT INTO `comment_versions` (`article_id`, `version`) SELECT OLD.`article_id`, 1 WHERE EXISTS (SELECT 1 FROM `articles` WHERE `id` = OLD.`article_id`) ON CONFLICT (`article_id`) DO UPDATE SET `version` = `version` + 1; END;
--> statement-breakpoint
-- a deleted article's comment version goes with it (ids are never reused: AUTOINCREMENT)
CREATE TRIGGER `articles_delete_forgets_comment_version` AFTER DELETE ON `articles` BEGIN DELETE FROM `comment_versions` WHERE `article_id` = OLD.`id`; END;
