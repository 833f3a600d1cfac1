-- Custom SQL migration file, put your code below! --
-- Text compares, sorts and changes case as it does in SQLite (BINARY: byte order, lower() for ASCII
-- only), whatever locale the server's database was created with: under en_US.UTF-8, tags would
-- sort "apple, Banana, cherry" instead of "Banana, apple, cherry", and lower() would make "É" and
-- "é" one name for the unique indexes. Drizzle's schema cannot say COLLATE, so it is said here;
-- src/db/schema-parity.test.ts checks every text column is "C".
ALTER TABLE "users" ALTER COLUMN "username" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "email" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "password_hash" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "bio" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "image" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "id" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "user_agent" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "articles" ALTER COLUMN "slug" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "articles" ALTER COLUMN "title" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "articles" ALTER COLUMN "description" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "articles" ALTER COLUMN "body" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "articles" ALTER COLUMN "body_html" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "tags" ALTER COLUMN "name" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "comments" ALTER COLUMN "body" TYPE text COLLATE "C";
