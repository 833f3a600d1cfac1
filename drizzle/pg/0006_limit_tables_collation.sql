-- Custom SQL migration file, put your code below! --
-- The limits' keys compare as every other text column does (COLLATE "C", see 0002_binary_collation).
ALTER TABLE "rate_limit_buckets" ALTER COLUMN "key" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "throttle_counters" ALTER COLUMN "key" TYPE text COLLATE "C";
