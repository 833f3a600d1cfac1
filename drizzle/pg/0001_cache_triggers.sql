-- Custom SQL migration file, put your code below! --
-- What drizzle/0007_cache_triggers.sql does for SQLite, with the same trigger names and meaning:
-- every row written to a table readers see moves `content` in the same transaction (src/cache/);
-- comments move `comments` and their article's row of comment_versions instead, so a comment
-- leaves lists cached; a deleted article forgets its comment version. Row triggers, as SQLite's
-- are: a statement that writes no row moves nothing.
INSERT INTO "cache_versions" ("id", "content", "comments") VALUES (1, 1, 1);
--> statement-breakpoint
CREATE FUNCTION "move_content_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "cache_versions" SET "content" = "content" + 1 WHERE "id" = 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- the article of the comment written (NEW on insert and update, OLD on delete, as in SQLite), if it
-- still exists: a comment deleted with its article leaves no version behind
CREATE FUNCTION "move_comment_versions"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  article integer := CASE WHEN TG_OP = 'DELETE' THEN OLD."article_id" ELSE NEW."article_id" END;
BEGIN
  UPDATE "cache_versions" SET "comments" = "comments" + 1 WHERE "id" = 1;
  INSERT INTO "comment_versions" ("article_id", "version")
    SELECT article, 1 WHERE EXISTS (SELECT 1 FROM "articles" WHERE "id" = article)
    ON CONFLICT ("article_id") DO UPDATE SET "version" = "comment_versions"."version" + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- ids are never reused (identity columns), so the row can go
CREATE FUNCTION "forget_comment_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "comment_versions" WHERE "article_id" = OLD."id";
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "users_insert_moves_content" AFTER INSERT ON "users" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "users_update_moves_content" AFTER UPDATE ON "users" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "users_delete_moves_content" AFTER DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "articles_insert_moves_content" AFTER INSERT ON "articles" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "articles_update_moves_content" AFTER UPDATE ON "articles" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "articles_delete_moves_content" AFTER DELETE ON "articles" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "tags_insert_moves_content" AFTER INSERT ON "tags" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "tags_update_moves_content" AFTER UPDATE ON "tags" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "tags_delete_moves_content" AFTER DELETE ON "tags" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_tags_insert_moves_content" AFTER INSERT ON "article_tags" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_tags_update_moves_content" AFTER UPDATE ON "article_tags" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_tags_delete_moves_content" AFTER DELETE ON "article_tags" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "favorites_insert_moves_content" AFTER INSERT ON "favorites" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "favorites_update_moves_content" AFTER UPDATE ON "favorites" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "favorites_delete_moves_content" AFTER DELETE ON "favorites" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "follows_insert_moves_content" AFTER INSERT ON "follows" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "follows_update_moves_content" AFTER UPDATE ON "follows" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "follows_delete_moves_content" AFTER DELETE ON "follows" FOR EACH ROW EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "comments_insert_moves_comments" AFTER INSERT ON "comments" FOR EACH ROW EXECUTE FUNCTION "move_comment_versions"();
--> statement-breakpoint
CREATE TRIGGER "comments_update_moves_comments" AFTER UPDATE ON "comments" FOR EACH ROW EXECUTE FUNCTION "move_comment_versions"();
--> statement-breakpoint
CREATE TRIGGER "comments_delete_moves_comments" AFTER DELETE ON "comments" FOR EACH ROW EXECUTE FUNCTION "move_comment_versions"();
--> statement-breakpoint
CREATE TRIGGER "articles_delete_forgets_comment_version" AFTER DELETE ON "articles" FOR EACH ROW EXECUTE FUNCTION "forget_comment_version"();
