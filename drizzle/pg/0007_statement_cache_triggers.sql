-- Custom SQL migration file, put your code below! --
-- The cache triggers of 0001 (drizzle/pg/0001), once a statement instead of once a row. A row trigger
-- updated the one cache_versions row once for every row written, and PostgreSQL keeps each version
-- of a row one transaction updates: 20 000 rows written in one transaction took 8.1 s with the row
-- triggers and 0.1 s without (a user deleted with all their favorites, a site copied). A statement
-- moves each version once; a statement that writes no row still moves nothing (its transition
-- table is empty), and a comment's article that no longer exists gets no version, as before.
--> statement-breakpoint
DROP TRIGGER "users_insert_moves_content" ON "users";
--> statement-breakpoint
DROP TRIGGER "users_update_moves_content" ON "users";
--> statement-breakpoint
DROP TRIGGER "users_delete_moves_content" ON "users";
--> statement-breakpoint
DROP TRIGGER "articles_insert_moves_content" ON "articles";
--> statement-breakpoint
DROP TRIGGER "articles_update_moves_content" ON "articles";
--> statement-breakpoint
DROP TRIGGER "articles_delete_moves_content" ON "articles";
--> statement-breakpoint
DROP TRIGGER "tags_insert_moves_content" ON "tags";
--> statement-breakpoint
DROP TRIGGER "tags_update_moves_content" ON "tags";
--> statement-breakpoint
DROP TRIGGER "tags_delete_moves_content" ON "tags";
--> statement-breakpoint
DROP TRIGGER "article_tags_insert_moves_content" ON "article_tags";
--> statement-breakpoint
DROP TRIGGER "article_tags_update_moves_content" ON "article_tags";
--> statement-breakpoint
DROP TRIGGER "article_tags_delete_moves_content" ON "article_tags";
--> statement-breakpoint
DROP TRIGGER "favorites_insert_moves_content" ON "favorites";
--> statement-breakpoint
DROP TRIGGER "favorites_update_moves_content" ON "favorites";
--> statement-breakpoint
DROP TRIGGER "favorites_delete_moves_content" ON "favorites";
--> statement-breakpoint
DROP TRIGGER "follows_insert_moves_content" ON "follows";
--> statement-breakpoint
DROP TRIGGER "follows_update_moves_content" ON "follows";
--> statement-breakpoint
DROP TRIGGER "follows_delete_moves_content" ON "follows";
--> statement-breakpoint
DROP TRIGGER "comments_insert_moves_comments" ON "comments";
--> statement-breakpoint
DROP TRIGGER "comments_update_moves_comments" ON "comments";
--> statement-breakpoint
DROP TRIGGER "comments_delete_moves_comments" ON "comments";
--> statement-breakpoint
DROP TRIGGER "articles_delete_forgets_comment_version" ON "articles";
--> statement-breakpoint
DROP FUNCTION "move_content_version"();
--> statement-breakpoint
DROP FUNCTION "move_comment_versions"();
--> statement-breakpoint
DROP FUNCTION "forget_comment_version"();
--> statement-breakpoint
CREATE FUNCTION "move_content_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "changed") THEN
    UPDATE "cache_versions" SET "content" = "content" + 1 WHERE "id" = 1;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- the articles of the comments written (NEW on insert and update, OLD on delete, as in SQLite)
CREATE FUNCTION "move_comment_versions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "changed") THEN
    UPDATE "cache_versions" SET "comments" = "comments" + 1 WHERE "id" = 1;
    INSERT INTO "comment_versions" ("article_id", "version")
      SELECT DISTINCT "changed"."article_id", 1 FROM "changed"
      WHERE EXISTS (SELECT 1 FROM "articles" WHERE "articles"."id" = "changed"."article_id")
      ON CONFLICT ("article_id") DO UPDATE SET "version" = "comment_versions"."version" + 1;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "forget_comment_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "comment_versions" WHERE "article_id" IN (SELECT "id" FROM "changed");
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "users_insert_moves_content" AFTER INSERT ON "users" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "users_update_moves_content" AFTER UPDATE ON "users" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "users_delete_moves_content" AFTER DELETE ON "users" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "articles_insert_moves_content" AFTER INSERT ON "articles" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "articles_update_moves_content" AFTER UPDATE ON "articles" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "articles_delete_moves_content" AFTER DELETE ON "articles" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "tags_insert_moves_content" AFTER INSERT ON "tags" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "tags_update_moves_content" AFTER UPDATE ON "tags" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "tags_delete_moves_content" AFTER DELETE ON "tags" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_tags_insert_moves_content" AFTER INSERT ON "article_tags" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_tags_update_moves_content" AFTER UPDATE ON "article_tags" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_tags_delete_moves_content" AFTER DELETE ON "article_tags" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "favorites_insert_moves_content" AFTER INSERT ON "favorites" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "favorites_update_moves_content" AFTER UPDATE ON "favorites" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "favorites_delete_moves_content" AFTER DELETE ON "favorites" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "follows_insert_moves_content" AFTER INSERT ON "follows" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "follows_update_moves_content" AFTER UPDATE ON "follows" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "follows_delete_moves_content" AFTER DELETE ON "follows" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "comments_insert_moves_comments" AFTER INSERT ON "comments" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_comment_versions"();
--> statement-breakpoint
CREATE TRIGGER "comments_update_moves_comments" AFTER UPDATE ON "comments" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_comment_versions"();
--> statement-breakpoint
CREATE TRIGGER "comments_delete_moves_comments" AFTER DELETE ON "comments" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_comment_versions"();
--> statement-breakpoint
CREATE TRIGGER "articles_delete_forgets_comment_version" AFTER DELETE ON "articles" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "forget_comment_version"();
