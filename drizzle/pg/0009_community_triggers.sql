-- Custom SQL migration file, put your code below! --
-- Every new text column compares as SQLite's do (drizzle/pg/0002 says why).
ALTER TABLE "article_slugs" ALTER COLUMN "slug" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "actor_name" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "door" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "action" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "target_kind" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "target_label" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "reason" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "details" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "invitations" ALTER COLUMN "role" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "invitations" ALTER COLUMN "note" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "target_kind" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "target_label" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "reason" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "resolution" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "resolution_note" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "site_pages" ALTER COLUMN "slug" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "site_pages" ALTER COLUMN "title" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "site_pages" ALTER COLUMN "body" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "site_pages" ALTER COLUMN "body_html" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "site_pages" ALTER COLUMN "placement" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "site_settings" ALTER COLUMN "key" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "site_settings" ALTER COLUMN "value" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "articles" ALTER COLUMN "hidden_cause" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "articles" ALTER COLUMN "hidden_reason" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "comments" ALTER COLUMN "hidden_cause" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "comments" ALTER COLUMN "hidden_reason" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "role" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "suspension_reason" TYPE text COLLATE "C";
--> statement-breakpoint
-- The site's settings, its pages and its old article addresses change what readers see: their writes
-- move the content version like every other such table's (drizzle/pg/0007).
CREATE TRIGGER "site_settings_insert_moves_content" AFTER INSERT ON "site_settings" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "site_settings_update_moves_content" AFTER UPDATE ON "site_settings" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "site_settings_delete_moves_content" AFTER DELETE ON "site_settings" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "site_pages_insert_moves_content" AFTER INSERT ON "site_pages" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "site_pages_update_moves_content" AFTER UPDATE ON "site_pages" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "site_pages_delete_moves_content" AFTER DELETE ON "site_pages" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_slugs_insert_moves_content" AFTER INSERT ON "article_slugs" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_slugs_update_moves_content" AFTER UPDATE ON "article_slugs" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
CREATE TRIGGER "article_slugs_delete_moves_content" AFTER DELETE ON "article_slugs" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "move_content_version"();
--> statement-breakpoint
-- a site that had accounts before roles: its first account is its owner, as on a new site
UPDATE "users" SET "role" = 'owner' WHERE "id" = (SELECT min("id") FROM "users");
