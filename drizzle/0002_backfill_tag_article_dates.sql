-- Custom SQL migration file, put your code below! --
-- Copy each article's creation time onto its tags (0001 added the column with 0).
UPDATE `article_tags` SET `article_created_at` = (SELECT `created_at` FROM `articles` WHERE `articles`.`id` = `article_tags`.`article_id`);
