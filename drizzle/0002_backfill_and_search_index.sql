-- Custom SQL migration file, put your code below! --
-- Every article written before drafts existed was published when it was created.
UPDATE `articles` SET `published_at` = `created_at` WHERE `published_at` IS NULL;
--> statement-breakpoint
UPDATE `article_tags` SET `published_at` = (SELECT `published_at` FROM `articles` WHERE `articles`.`id` = `article_tags`.`article_id`);
--> statement-breakpoint
-- Full-text search over title, description, body text and tags; rowid = articles.id.
-- unicode61 with remove_diacritics folds accents ("cafe" finds "café"); prefix indexes serve "typ*".
CREATE VIRTUAL TABLE `articles_fts` USING fts5(
  `title`, `description`, `body`, `tags`,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);
--> statement-breakpoint
-- Existing articles are indexed here; Markdown punctuation is a separator to the tokenizer, and the
-- application re-indexes an article with its plain text whenever it is saved.
INSERT INTO `articles_fts` (`rowid`, `title`, `description`, `body`, `tags`)
SELECT `a`.`id`, `a`.`title`, `a`.`description`, `a`.`body`,
  COALESCE((SELECT group_concat(`t`.`name`, ' ') FROM `article_tags` `at` JOIN `tags` `t` ON `t`.`id` = `at`.`tag_id` WHERE `at`.`article_id` = `a`.`id`), '')
FROM `articles` `a`;
