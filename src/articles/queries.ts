import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client';
import { idle, transaction } from '../db/transaction';
import { articles, articleTags, favorites, follows, tags, users } from '../db/schema';
import { renderBody, type RenderedBody } from '../lib/markdown';
import { ANONYMOUS_VIEWER, prepared } from '../db/statements';
import { followingFlag } from '../profiles/following';
import { slugify, uniqueSlug } from './slug';
import { LISTED, LISTED_TAG_LINK, listedSql, ownUnlisted } from './visibility';

export type Profile = {
  id: number;
  username: string;
  bio: string | null;
  image: string | null;
  following: boolean;
};

export type ArticleSummary = {
  id: number;
  slug: string;
  title: string;
  description: string;
  tagList: string[];
  createdAt: Date;
  updatedAt: Date;
  /** null while it is a draft */
  publishedAt: Date | null;
  readingMinutes: number;
  favorited: boolean;
  favoritesCount: number;
  author: Profile;
};

export type ArticleDetail = ArticleSummary & { body: string; bodyHtml: string };

export type ArticleFilter = {
  tag?: string;
  /** author's username */
  author?: string;
  /** username of someone who favorited the articles */
  favoritedBy?: string;
  /** id of the user whose followed authors' articles make the feed */
  feedOf?: number;
};

export type ArticleInput = { title: string; description: string; body: string; tagList: string[] };

const userIdByName = (placeholder: string) =>
  sql`(select ${users.id} from ${users} where lower(${users.username}) = lower(${sql.placeholder(placeholder)}))`;

export type FilterKey = keyof ArticleFilter;
export const FILTER_KEYS: FilterKey[] = ['tag', 'author', 'favoritedBy', 'feedOf'];

export const tagIdByName = sql`(select ${tags.id} from ${tags} where ${tags.name} = ${sql.placeholder('tag')})`;

/** The WHERE of a list on articles, with a placeholder for each filter given (tag aside). */
export function filterCondition(keys: FilterKey[]): SQL | undefined {
  // only listed articles are in a list, a count, a feed or a tag
  const conditions: SQL[] = [LISTED];
  if (keys.includes('author')) {
    conditions.push(sql`${articles.authorId} = ${userIdByName('author')}`);
  }
  if (keys.includes('favoritedBy')) {
    conditions.push(
      sql`${articles.id} in (select ${favorites.articleId} from ${favorites}
        where ${favorites.userId} = ${userIdByName('favoritedBy')})`,
    );
  }
  if (keys.includes('feedOf')) {
    conditions.push(
      sql`${articles.authorId} in (select ${follows.followedId} from ${follows}
        where ${follows.followerId} = ${sql.placeholder('feedOf')})`,
    );
  }
  return conditions.length ? and(...conditions) : undefined;
}

/** Columns of an article view that are the same for every reader. */
function listedColumns() {
  return {
    id: articles.id,
    slug: articles.slug,
    title: articles.title,
    description: articles.description,
    createdAt: articles.createdAt,
    updatedAt: articles.updatedAt,
    publishedAt: articles.publishedAt,
    readingMinutes: articles.readingMinutes,
    favoritesCount: articles.favoritesCount,
    authorId: users.id,
    authorUsername: users.username,
    authorBio: users.bio,
    authorImage: users.image,
  };
}

/** Columns every article view needs; the viewer's flags are 0 for the anonymous viewer (-1). */
export function summaryColumns() {
  const viewer = sql.placeholder('viewer');
  return {
    ...listedColumns(),
    favorited: sql<number>`exists(select 1 from ${favorites} where ${favorites.articleId} = ${articles.id} and ${favorites.userId} = ${viewer})`,
    following: followingFlag(viewer, articles.authorId),
  };
}

type SummaryRow = {
  id: number;
  slug: string;
  title: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  readingMinutes: number;
  favoritesCount: number;
  /** the viewer's flags; a list reads them apart (viewerFlags) */
  favorited?: number;
  authorId: number;
  authorUsername: string;
  authorBio: string | null;
  authorImage: string | null;
  following?: number;
};

export function toSummary(row: SummaryRow, tagList: string[]): ArticleSummary {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    tagList,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    publishedAt: row.publishedAt,
    readingMinutes: row.readingMinutes,
    favorited: Boolean(row.favorited),
    favoritesCount: Number(row.favoritesCount),
    author: {
      id: row.authorId,
      username: row.authorUsername,
      bio: row.authorBio,
      image: row.authorImage,
      following: Boolean(row.following),
    },
  };
}

/**
 * Tags of many articles in one prepared query (ids as a JSON array), in the author's order. A part
 * of the query functions that call it, after their `await idle(db)`, so it reads the same state.
 */
export function tagsForArticles(db: Db, ids: number[]): Map<number, string[]> {
  const byArticle = new Map<number, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byArticle;
  const statement = db.$client.prepare(
    `select at.article_id as articleId, t.name as name from article_tags at
     join tags t on t.id = at.tag_id
     where at.article_id in (select value from json_each(?))
     order by at.article_id, at.position`,
  );
  for (const row of statement.all(JSON.stringify(ids)) as Array<{ articleId: number; name: string }>) {
    byArticle.get(row.articleId)?.push(row.name);
  }
  return byArticle;
}

/**
 * The list query and its count for a set of filters: built and prepared once per database.
 * The page's ids are chosen first from the indexes alone; only those rows then get their author,
 * counts and flags. (Computing them in one query costs the subqueries for every matching row
 * SQLite sorts or skips: no OFFSET cliff, no sorting of whole tags.)
 */
export function articleListQueries(db: Db, keys: FilterKey[]) {
  return prepared(db, `article-list:${keys.join(',')}`, () => {
    const where = filterCondition(keys);
    const byTag = keys.includes('tag');
    const tagged = and(eq(articleTags.tagId, tagIdByName), LISTED_TAG_LINK, where);
    // a tag's articles come newest first from article_tags_tag_published_idx, unsorted
    const pageIds = byTag
      ? db
          .select({ id: articleTags.articleId })
          .from(articleTags)
          .innerJoin(articles, eq(articles.id, articleTags.articleId))
          .where(tagged)
          .orderBy(desc(articleTags.publishedAt), desc(articleTags.articleId))
          .limit(sql.placeholder('limit'))
          .offset(sql.placeholder('offset'))
          .as('page_ids')
      : db
          .select({ id: articles.id })
          .from(articles)
          .where(where)
          .orderBy(desc(articles.publishedAt), desc(articles.id))
          .limit(sql.placeholder('limit'))
          .offset(sql.placeholder('offset'))
          .as('page_ids');
    return {
      // CROSS JOIN keeps the 10 page ids as the outer loop (SQLite does not reorder it)
      page: db
        .select(listedColumns())
        .from(pageIds)
        .crossJoin(articles)
        .innerJoin(users, eq(users.id, articles.authorId))
        .where(eq(articles.id, pageIds.id))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .prepare(),
      count: byTag
        ? db
            .select({ n: sql<number>`count(*)` })
            .from(articleTags)
            .innerJoin(articles, eq(articles.id, articleTags.articleId))
            .where(tagged)
            .prepare()
        : db.select({ n: sql<number>`count(*)` }).from(articles).where(where).prepare(),
    };
  });
}

/** The viewer's flags for a page: the ids, among those given, of articles favorited and authors followed. */
export function viewerFlagsQuery(db: Db) {
  return db.$client.prepare(
    `select
       (select json_group_array(a.value) from json_each(:articles) a
        where exists(select 1 from favorites f where f.user_id = :viewer and f.article_id = a.value)) as favorited,
       (select json_group_array(a.value) from json_each(:authors) a
        where exists(select 1 from follows f where f.follower_id = :viewer and f.followed_id = a.value)) as following`,
  );
}

/**
 * Which of these articles the viewer favorited and which of these authors they follow, in one
 * prepared query (ids as JSON arrays). A part of the query functions that call it, as above.
 */
export function viewerFlags(
  db: Db,
  viewerId: number,
  articleIds: number[],
  authorIds: number[],
): { favorited: Set<number>; following: Set<number> } {
  const row = viewerFlagsQuery(db).get({
    viewer: viewerId,
    articles: JSON.stringify(articleIds),
    authors: JSON.stringify(authorIds),
  }) as { favorited: string; following: string };
  return { favorited: new Set(JSON.parse(row.favorited)), following: new Set(JSON.parse(row.following)) };
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
};

const filterKeys = (filter: ArticleFilter) => FILTER_KEYS.filter((key) => filter[key] !== undefined);

export function sharedReads(db: Db): SharedReads {
  return {
    async articleList(filter, limit, offset) {
      await idle(db);
      const queries = articleListQueries(db, filterKeys(filter));
      const rows = queries.page.all({ ...filter, limit, offset });
      const tagLists = tagsForArticles(
        db,
        rows.map((row) => row.id),
      );
      const articles = rows.map((row) => toSummary(row, tagLists.get(row.id) ?? []));
      return { articles, total: queries.count.get(filter)?.n ?? 0 };
    },
    async tagsInUse() {
      await idle(db);
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
  await idle(source.db);
  const { favorited, following } = viewerFlags(
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
  await idle(db);
  const query = prepared(db, 'article-by-slug', () =>
    db
      .select({ ...summaryColumns(), body: articles.body, bodyHtml: articles.bodyHtml })
      .from(articles)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(eq(articles.slug, sql.placeholder('slug')))
      .prepare(),
  );
  const row = query.get({ slug, viewer: viewerId ?? ANONYMOUS_VIEWER });
  if (!row) return null;
  const tagList = tagsForArticles(db, [row.id]).get(row.id) ?? [];
  return { ...toSummary(row, tagList), body: row.body, bodyHtml: row.bodyHtml };
}

/** What /about tells: how many people have a listed article, and how many articles are listed. */
export async function countListed(db: Db): Promise<{ authors: number; articles: number }> {
  await idle(db);
  const query = prepared(db, 'listed-counts', () =>
    db.$client.prepare(`select count(distinct author_id) as authors, count(*) as articles from articles where ${listedSql()}`),
  );
  return query.get() as { authors: number; articles: number };
}

/** An author's drafts, most recently edited first (only ever shown to that author). */
export async function listDrafts(db: Db, authorId: number): Promise<ArticleSummary[]> {
  await idle(db);
  const query = prepared(db, 'drafts-of-author', () =>
    db
      .select(summaryColumns())
      .from(articles)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(ownUnlisted(sql.placeholder('author')))
      .orderBy(desc(articles.updatedAt), desc(articles.id))
      .limit(200)
      .prepare(),
  );
  const rows = query.all({ author: authorId, viewer: authorId });
  const tagLists = tagsForArticles(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toSummary(row, tagLists.get(row.id) ?? []));
}

function queryTagsInUse(db: Db): string[] {
  return db
    .select({ name: tags.name })
    .from(tags)
    .innerJoin(articleTags, and(eq(articleTags.tagId, tags.id), LISTED_TAG_LINK))
    .groupBy(tags.id)
    .orderBy(desc(sql`count(*)`), tags.name)
    .all()
    .map((row) => row.name);
}

function takenSlugs(db: Queryable, base: string, exceptId?: number): Set<string> {
  const rows = db
    .select({ slug: articles.slug, id: articles.id })
    .from(articles)
    .where(sql`${articles.slug} = ${base} or ${articles.slug} like ${`${base}-%`} escape '\\'`)
    .all();
  return new Set(rows.filter((row) => row.id !== exceptId).map((row) => row.slug));
}

function replaceTags(db: Queryable, articleId: number, publishedAt: Date | null, tagList: string[]): void {
  db.delete(articleTags).where(eq(articleTags.articleId, articleId)).run();
  if (tagList.length === 0) return;
  db.insert(tags)
    .values(tagList.map((name) => ({ name })))
    .onConflictDoNothing()
    .run();
  const ids = new Map(
    db
      .select({ id: tags.id, name: tags.name })
      .from(tags)
      .where(inArray(tags.name, tagList))
      .all()
      .map((row) => [row.name, row.id]),
  );
  db.insert(articleTags)
    .values(tagList.map((name, position) => ({ articleId, tagId: ids.get(name)!, position, publishedAt })))
    .run();
}

export type { RenderedBody };

/** A body rendered on this thread (tests, start-up); requests render in the worker (renderBodyOffThread). */
export const renderArticleBody = renderBody;

/** Keeps the search index in step with the article, inside the caller's transaction. */
function indexForSearch(
  db: Queryable,
  id: number,
  input: { title: string; description: string; tagList: string[] },
  bodyText: string,
): void {
  db.run(sql`delete from articles_fts where rowid = ${id}`);
  db.run(
    sql`insert into articles_fts (rowid, title, description, body, tags)
        values (${id}, ${input.title}, ${input.description}, ${bodyText}, ${input.tagList.join(' ')})`,
  );
}

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
    const slug = uniqueSlug(slugify(input.title), takenSlugs(tx, slugify(input.title)));
    const row = tx
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
      })
      .returning({ id: articles.id })
      .get();
    replaceTags(tx, row.id, publishedAt, input.tagList);
    indexForSearch(tx, row.id, input, rendered.text);
    return { id: row.id, slug };
  });
}

/**
 * Applies the given fields; tagList undefined keeps the tags. `newSlugFrom` gives the article the
 * first free slug made from that title; `publish` publishes a draft (its published date is then).
 * `rendered` is the new body's (renderArticleBody), given when and only when the body changes.
 */
export async function updateArticle(
  db: Db,
  article: { id: number; title: string; slug: string; description: string; body: string; tagList: string[]; publishedAt: Date | null },
  changes: Partial<ArticleInput>,
  rendered: RenderedBody | null,
  now: number,
  options: { publish?: boolean; newSlugFrom?: string } = {},
): Promise<{ slug: string }> {
  const next = { ...article, ...changes };
  const publishedAt = article.publishedAt ?? (options.publish ? new Date(now) : null);
  return transaction(db, async (tx) => {
    let slug = article.slug;
    if (options.newSlugFrom !== undefined) {
      const base = slugify(options.newSlugFrom);
      slug = uniqueSlug(base, takenSlugs(tx, base, article.id));
    }
    tx.update(articles)
      .set({
        slug,
        title: next.title,
        description: next.description,
        body: next.body,
        ...(rendered && { bodyHtml: rendered.bodyHtml, readingMinutes: rendered.readingMinutes }),
        updatedAt: new Date(now),
        publishedAt,
      })
      .where(eq(articles.id, article.id))
      .run();
    if (changes.tagList !== undefined) replaceTags(tx, article.id, publishedAt, changes.tagList);
    else if (publishedAt !== article.publishedAt) {
      tx.update(articleTags).set({ publishedAt }).where(eq(articleTags.articleId, article.id)).run();
    }
    if (rendered) indexForSearch(tx, article.id, next, rendered.text);
    // the body's text is indexed already: only what may have changed is written
    else tx.run(sql`update articles_fts set title = ${next.title}, description = ${next.description}, tags = ${next.tagList.join(' ')} where rowid = ${article.id}`);
    return { slug };
  });
}

export async function deleteArticle(db: Db, articleId: number): Promise<void> {
  await transaction(db, async (tx) => {
    tx.run(sql`delete from articles_fts where rowid = ${articleId}`);
    tx.delete(articles).where(eq(articles.id, articleId)).run();
  });
}

/** Favorites an article once; its count on the row moves in the same transaction, only if a row was added. */
export async function favoriteArticle(db: Db, userId: number, articleId: number, now: number): Promise<void> {
  await transaction(db, async (tx) => {
    const added = tx
      .insert(favorites)
      .values({ userId, articleId, createdAt: new Date(now) })
      .onConflictDoNothing()
      .run();
    if (added.changes > 0) moveFavoritesCount(tx, articleId, 1);
  });
}

export async function unfavoriteArticle(db: Db, userId: number, articleId: number): Promise<void> {
  await transaction(db, async (tx) => {
    const removed = tx
      .delete(favorites)
      .where(and(eq(favorites.userId, userId), eq(favorites.articleId, articleId)))
      .run();
    if (removed.changes > 0) moveFavoritesCount(tx, articleId, -1);
  });
}

function moveFavoritesCount(db: Queryable, articleId: number, by: 1 | -1): void {
  db.update(articles)
    .set({ favoritesCount: sql`${articles.favoritesCount} + ${by}` })
    .where(eq(articles.id, articleId))
    .run();
}
