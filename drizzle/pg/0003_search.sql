CREATE TABLE "article_search" (
	"article_id" integer PRIMARY KEY NOT NULL,
	"body" text NOT NULL,
	"vector" "tsvector" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "article_search" ADD CONSTRAINT "article_search_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "article_search_vector_idx" ON "article_search" USING gin ("vector");