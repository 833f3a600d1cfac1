import { and, count, countDistinct, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { ANONYMOUS_VIEWER, idListTable, idListValue, preparedQuery, tablesOf, type Tables } from '../db/engine';
import { idle, transaction } from '../db/transaction';
import { renderBody, type RenderedBody } from '../lib/markdown';
import { searchEngineOf } from '../search/queries';
import { readSiteLook, type SettingsDefaults, type SiteLook } from '../site/settings';
import { slugify, uniqueSlug } from './slug';
import {
  filterCondition,
  FILTER_KEYS,
  listedColumns,
  summaryColumns,
  tagIdByName,
  tagsForArticles,
  toSummary,
  type ArticleDetail,
  type ArticleFilter,
  type ArticleInput,
  type ArticleSummary,
  type FilterKey,
} from './summary';
import { listed, listedTagLink, listingDate, ownDrafts } from './visibility';
import { recordMediaUses } from '../media/uses';

export * from './summary';

/**
 * The list query and its count for a set of filters: built and prepared once per database.
 * The page's ids are chosen first from the indexes alone; only those rows then get their author,
 * counts and flags. (Computing them in one query costs the subqueries for every matching row
 * SQLite sorts or skips: no OFFSET cliff, no sorting of whole tags.)
 */
export function articleListQueries(db: Db, keys: FilterKey[]) {
  const name = keys.join(',');
  const byTag = keys.includes('tag');
  const tagged = (t: Tables) => and(eq(t.articleTags.tagId, tagIdByName(t)), listedTagLink(t), filterCondition(t, keys));
  return {
    page: preparedQuery(db, `article-list:${name}`, (t) => {
      const { articles, articleTags, users } = t;
      // a tag's articles come newest first from article_tags_tag_published_idx, unsorted
      const pageIds = byTag
        ? db
            .select({ id: articleTags.articleId })
            .from(articleTags)
            .innerJoin(articles, eq(articles.id, articleTags.articleId))
            .where(tagged(t))
            .orderBy(desc(articleTags.publishedAt), desc(articleTags.articleId))
            .limit(sql.placeholder('limit'))
            .offset(sql.placeholder('offset'))
            .as('page_ids')
        : db
            .select({ id: articles.id })
            .from(articles)
            .where(filterCondition(t, keys))
            .orderBy(desc(articles.publishedAt), desc(articles.id))
            .limit(sql.placeholder('limit'))
            .offset(sql.placeholder('offset'))
            .as('page_ids');
      // CROSS JOIN keeps the 10 page ids as the outer loop (SQLite does not reorder it)
      return db
        .select(listedColumns(t))
        .from(pageIds)
        .crossJoin(articles)
        .innerJoin(users, eq(users.id, articles.authorId))
        .where(eq(articles.id, pageIds.id))
        .orderBy(desc(articles.publishedAt), desc(articles.id));
    }),
    count: preparedQuery(db, `article-count:${name}`, (t) =>
      byTag
        ? db
            .select({ n: count() })
            .from(t.articleTags)
            .innerJoin(t.articles, eq(t.articles.id, t.articleTags.articleId))
            .where(tagged(t))
        : db.select({ n: count() }).from(t.articles).where(filterCondition(t, keys)),
    ),
  };
}

/**
 * The viewer's flags for a page: among the articles (`articles`) and authors (`authors`) given,
 * those the viewer (`viewer`) favorited (kind 1) and follows (kind 2), each looked up by its key.
 */
export function viewerFlagsQuery(db: Db) {
  return preparedQuery(db, 'viewer-flags', ({ favorites, follows }) => {
    const viewer = sql.placeholder('viewer');
    return db
      .select({ kind: sql<number>`1`, id: sql<number>`a.value` })
      .from(idListTable(db, sql.placeholder('articles'), 'a'))
      .where(sql`exists(select 1 from ${favorites} where ${favorites.userId} = ${viewer} and ${favorites.articleId} = a.value)`)
      .unionAll(
        db
          .select({ kind: sql<number>`2`, id: sql<number>`f.value` })
          .from(idListTable(db, sql.placeholder('authors'), 'f'))
          .where(sql`exists(select 1 from ${follows} where ${follows.followerId} = ${viewer} and ${follows.followedId} = f.value)`),
      );
  });
}

/**
 * Which of these articles the viewer favorited and which of these authors they follow, in one
 * prepared query (ids bound as lists). A part of the query functions that call it, as above.
 */
export async function viewerFlags(
  db: Db,
  viewerId: number,
  articleIds: number[],
  authorIds: number[],
): Promise<{ favorited: Set<number>; following: Set<number> }> {
  const rows = await viewerFlagsQuery(db).rows({
    viewer: viewerId,
    articles: idListValue(db, articleIds),
    authors: idListValue(db, authorIds),
  });
  const favorited = new Set<number>();
  const following = new Set<number>();
  for (const row of rows) (Number(row.kind) === 1 ? favorited : following).add(row.id);
  return { favorited, following };
}

/**
 * What every reader sees alike, read without a viewer: the reads the cache may keep between writes
 * (src/cache/). A list page's articles, tags, counts and authors only change with the content; each
 * request then asks only for the viewer's own flags (listArticles).
 */
export type SharedReads = {
  /**
   * A page of published articles matching `filter`, newest first, with every reader's flags off,
   * and how many match in all.
   */
  articleList(filter: ArticleFilter, limit: number, offset: number): Promise<{ articles: ArticleSummary[]; total: number }>;
  /** every tag used by at least one published article, most used first */
  tagsInUse(): Promise<string[]>;
  /** the site's settings and the links of its navbar and footer (src/site/settings.ts) */
  site(): Promise<SiteLook>;
};

const filterKeys = (filter: ArticleFilter) => FILTER_KEYS.filter((key) => filter[key] !== undefined);

/** `defaults`: the settings of a new site, from the environment (src/site/settings.ts). */
export function sharedReads(db: Db, defaults: SettingsDefaults): SharedReads {
  return {
    site: () => readSiteLook(db, defaults),
    async articleList(filter, limit, offset) {
      const queries = articleListQueries(db, filterKeys(filter));
      const rows = await queries.page.rows({ ...filter, limit, offset });
      const tagLists = await tagsForArticles(
        db,
        rows.map((row) => row.id),
      );
      const articles = rows.map((row) => toSummary(row, tagLists.get(row.id) ?? []));
      return { articles, total: Number((await queries.count.row(filter))?.n ?? 0) };
    },
    async tagsInUse() {
      return queryTagsInUse(db);
    },
  };
}

/** Where lists are read from: the database for the viewer's flags, the shared reads for the rest. */
export type ListSource = { db: Db; reads: SharedReads };

/** A page of published articles, newest first (ties by id), with the viewer's flags. */
export async function listArticles(
  source: ListSource,
  options: { filter?: ArticleFilter; viewerId: number | null; limit: number; offset: number },
): Promise<{ articles: ArticleSummary[]; total: number }> {
  const filter = options.filter ?? {};
  const { articles: page, total } = await source.reads.articleList(filter, options.limit, options.offset);
  // shared reads may be shared with other requests: each gets its own copies
  if (options.viewerId === null || page.length === 0) return { articles: page.map((article) => ({ ...article })), total };
  const { favorited, following } = await viewerFlags(
    source.db,
    options.viewerId,
    page.map((article) => article.id),
    page.map((article) => article.author.id),
  );
  const articles = page.map((article) => ({
    ...article,
    favorited: favorited.has(article.id),
    author: { ...article.author, following: following.has(article.author.id) },
  }));
  return { articles, total };
}

export async function findArticleBySlug(db: Db, slug: string, viewerId: number | null): Promise<ArticleDetail | null> {
  const query = preparedQuery(db, 'article-by-slug', (t) =>
    db
      .select({ ...summaryColumns(t), body: t.articles.body, bodyHtml: t.articles.bodyHtml })
      .from(t.articles)
      .innerJoin(t.users, eq(t.users.id, t.articles.authorId))
      .where(eq(t.articles.slug, sql.placeholder('slug'))),
  );
  const row = await query.row({ slug, viewer: viewerId ?? ANONYMOUS_VIEWER });
  if (!row) return null;
  const tagList = (await tagsForArticles(db, [row.id])).get(row.id) ?? [];
  return { ...toSummary(row, tagList), body: row.body, bodyHtml: row.bodyHtml };
}

/** What /about tells: how many people have a listed article, and how many articles are listed. */
export async function countListed(db: Db): Promise<{ authors: number; articles: number }> {
  const query = preparedQuery(db, 'listed-counts', (t) =>
    db.select({ authors: countDistinct(t.articles.authorId), articles: count() }).from(t.articles).where(listed(t)),
  );
  const row = await query.row();
  return { authors: Number(row?.authors ?? 0), articles: Number(row?.articles ?? 0) };
}

/** An author's drafts, most recently edited first (only ever shown to that author). */
export async function listDrafts(db: Db, authorId: number): Promise<ArticleSummary[]> {
  const query = preparedQuery(db, 'drafts-of-author', (t) =>
    db
      .select(summaryColumns(t))
      .from(t.articles)
      .innerJoin(t.users, eq(t.users.id, t.articles.authorId))
      .where(ownDrafts(t, sql.placeholder('author')))
      .orderBy(desc(t.articles.updatedAt), desc(t.articles.id))
      .limit(200),
  );
  const rows = await query.rows({ author: authorId, viewer: authorId });
  const tagLists = await tagsForArticles(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toSummary(row, tagLists.get(row.id) ?? []));
}

async function queryTagsInUse(db: Db): Promise<string[]> {
  await idle(db);
  const t = tablesOf(db);
  const rows = await db
    .select({ name: t.tags.name })
    .from(t.tags)
    .innerJoin(t.articleTags, and(eq(t.articleTags.tagId, t.tags.id), listedTagLink(t)))
    .groupBy(t.tags.id)
    .orderBy(desc(sql`count(*)`), t.tags.name);
  return rows.map((row) => row.name);
}

/**
 * The slugs of the form base, base-N that another article may not be given: every article's but
 * `exceptId`'s, and every retired one (an address an article had before a rename, or a deleted
 * article's), so an old link never leads to a different article. An article may take back an
 * address it had itself.
 */
async function takenSlugs(db: Db, base: string, exceptId?: number): Promise<Set<string>> {
  const { articles, articleSlugs } = tablesOf(db);
  const like = `${base}-%`;
  const [current, retired] = await Promise.all([
    db
      .select({ slug: articles.slug, id: articles.id })
      .from(articles)
      .where(sql`${articles.slug} = ${base} or ${articles.slug} like ${like} escape '\\'`),
    db
      .select({ slug: articleSlugs.slug, id: articleSlugs.articleId })
      .from(articleSlugs)
      .where(sql`${articleSlugs.slug} = ${base} or ${articleSlugs.slug} like ${like} escape '\\'`),
  ]);
  return new Set([...current, ...retired].filter((row) => exceptId === undefined || row.id !== exceptId).map((row) => row.slug));
}

/** Keeps `oldSlug` as a former address of the article, which now answers at `newSlug`. */
async function retireSlug(db: Db, articleId: number, oldSlug: string, newSlug: string, now: number): Promise<void> {
  const { articleSlugs } = tablesOf(db);
  // an address the article takes back is its address again, no longer a former one
  await db.delete(articleSlugs).where(eq(articleSlugs.slug, newSlug));
  await db.insert(articleSlugs).values({ slug: oldSlug, articleId, createdAt: new Date(now) });
}

/**
 * Where a former address leads: the article's current slug, 'gone' for a deleted article's, or
 * null for an address no article ever had.
 */
export async function findRetiredSlug(db: Db, slug: string): Promise<{ articleId: number; slug: string } | 'gone' | null> {
  const { articles, articleSlugs } = tablesOf(db);
  const [row] = await db
    .select({ articleId: articleSlugs.articleId, slug: articles.slug })
    .from(articleSlugs)
    .leftJoin(articles, eq(articles.id, articleSlugs.articleId))
    .where(eq(articleSlugs.slug, slug))
    .limit(1);
  if (!row) return null;
  return row.articleId === null || row.slug === null ? 'gone' : { articleId: row.articleId, slug: row.slug };
}

async function replaceTags(db: Db, articleId: number, publishedAt: Date | null, tagList: string[]): Promise<void> {
  const { articleTags, tags } = tablesOf(db);
  await db.delete(articleTags).where(eq(articleTags.articleId, articleId));
  if (tagList.length === 0) return;
  await db
    .insert(tags)
    .values(tagList.map((name) => ({ name })))
    .onConflictDoNothing();
  const rows = await db.select({ id: tags.id, name: tags.name }).from(tags).where(inArray(tags.name, tagList));
  const ids = new Map(rows.map((row) => [row.name, row.id]));
  await db.insert(articleTags).values(tagList.map((name, position) => ({ articleId, tagId: ids.get(name)!, position, publishedAt })));
}

export type { RenderedBody };

/** A body rendered on this thread (tests, start-up); requests render in the worker (renderBodyOffThread). */
export const renderArticleBody = renderBody;

/** Saves a new article under the first free slug made from its title; its body rendered before (renderArticleBody). */
export async function createArticle(
  db: Db,
  rendered: RenderedBody,
  authorId: number,
  input: ArticleInput,
  now: number,
  options: { publish: boolean } = { publish: true },
): Promise<{ id: number; slug: string }> {
  const publishedAt = options.publish ? new Date(now) : null;
  return transaction(db, async (tx) => {
    const { articles } = tablesOf(tx);
    const slug = uniqueSlug(slugify(input.title), await takenSlugs(tx, slugify(input.title)));
    const [row] = await tx
      .insert(articles)
      .values({
        slug,
        title: input.title,
        description: input.description,
        body: input.body,
        bodyHtml: rendered.bodyHtml,
        readingMinutes: rendered.readingMinutes,
        authorId,
        createdAt: new Date(now),
        updatedAt: new Date(now),
        publishedAt,
        coverImage: input.coverImage ?? null,
      })
      .returning({ id: articles.id });
    await replaceTags(tx, row!.id, publishedAt, input.tagList);
    await recordMediaUses(tx, { articleId: row!.id }, input.body, input.coverImage);
    await searchEngineOf(tx).index(tx, row!.id, input, rendered.text);
    return { id: row!.id, slug };
  });
}

/**
 * Applies the given fields; tagList undefined keeps the tags. `newSlugFrom` gives the article the
 * first free slug made from that title; `publish` publishes a draft (its published date is then).
 * `rendered` is the new body's (renderArticleBody), given when and only when the body changes.
 */
export async function updateArticle(
  db: Db,
  article: {
    id: number;
    title: string;
    slug: string;
    description: string;
    body: string;
    tagList: string[];
    publishedAt: Date | null;
    hidden: unknown;
    coverImage: string | null;
  },
  changes: Partial<ArticleInput>,
  rendered: RenderedBody | null,
  now: number,
  options: { publish?: boolean; newSlugFrom?: string } = {},
): Promise<{ slug: string }> {
  const next = { ...article, ...changes };
  const publishedAt = article.publishedAt ?? (options.publish ? new Date(now) : null);
  return transaction(db, async (tx) => {
    const { articles, articleTags } = tablesOf(tx);
    let slug = article.slug;
    if (options.newSlugFrom !== undefined) {
      const base = slugify(options.newSlugFrom);
      slug = uniqueSlug(base, await takenSlugs(tx, base, article.id));
      if (slug !== article.slug) await retireSlug(tx, article.id, article.slug, slug, now);
    }
    await tx
      .update(articles)
      .set({
        slug,
        title: next.title,
        description: next.description,
        body: next.body,
        ...(rendered && { bodyHtml: rendered.bodyHtml, readingMinutes: rendered.readingMinutes }),
        ...(changes.coverImage !== undefined && { coverImage: changes.coverImage }),
        updatedAt: new Date(now),
        publishedAt,
      })
      .where(eq(articles.id, article.id));
    if (changes.body !== undefined || changes.coverImage !== undefined) {
      await recordMediaUses(tx, { articleId: article.id }, next.body, next.coverImage);
    }
    // a hidden article's tag links stay unlisted whatever its author changes
    const listing = listingDate({ publishedAt, hidden: article.hidden });
    if (changes.tagList !== undefined) await replaceTags(tx, article.id, listing, changes.tagList);
    else if (publishedAt !== article.publishedAt) {
      await tx.update(articleTags).set({ publishedAt: listing }).where(eq(articleTags.articleId, article.id));
    }
    const search = searchEngineOf(tx);
    if (rendered) await search.index(tx, article.id, next, rendered.text);
    // the body's text is indexed already: only what may have changed is written
    else await search.reindexFields(tx, article.id, next);
    return { slug };
  });
}

export async function deleteArticle(db: Db, articleId: number, now: number): Promise<void> {
  await transaction(db, async (tx) => {
    await searchEngineOf(tx).remove(tx, articleId);
    const { articles, articleSlugs } = tablesOf(tx);
    // its address stays taken (its former ones too: their article_id becomes null), answering 410
    const [row] = await tx.select({ slug: articles.slug }).from(articles).where(eq(articles.id, articleId)).limit(1);
    if (row) await tx.insert(articleSlugs).values({ slug: row.slug, articleId, createdAt: new Date(now) });
    await tx.delete(articles).where(eq(articles.id, articleId));
  });
}

/** Favorites an article once; its count on the row moves in the same transaction, only if a row was added. */
/** Answers whether it was added (false: it was a favorite already). */
export async function favoriteArticle(db: Db, userId: number, articleId: number, now: number): Promise<boolean> {
  return transaction(db, async (tx) => {
    const { favorites } = tablesOf(tx);
    const added = await tx
      .insert(favorites)
      .values({ userId, articleId, createdAt: new Date(now) })
      .onConflictDoNothing()
      .returning({ articleId: favorites.articleId });
    if (added.length > 0) await moveFavoritesCount(tx, articleId, 1);
    return added.length > 0;
  });
}

/** Answers whether it went (false: it was not a favorite). */
export async function unfavoriteArticle(db: Db, userId: number, articleId: number): Promise<boolean> {
  return transaction(db, async (tx) => {
    const { favorites } = tablesOf(tx);
    const removed = await tx
      .delete(favorites)
      .where(and(eq(favorites.userId, userId), eq(favorites.articleId, articleId)))
      .returning({ articleId: favorites.articleId });
    if (removed.length > 0) await moveFavoritesCount(tx, articleId, -1);
    return removed.length > 0;
  });
}

async function moveFavoritesCount(db: Db, articleId: number, by: 1 | -1): Promise<void> {
  const { articles } = tablesOf(db);
  await db
    .update(articles)
    .set({ favoritesCount: sql`${articles.favoritesCount} + ${by}` })
    .where(eq(articles.id, articleId));
}
