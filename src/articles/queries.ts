import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client';
import { articles, articleTags, favorites, follows, tags, users } from '../db/schema';
import { followingFlag } from '../profiles/following';
import { slugify, uniqueSlug } from './slug';

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
  favorited: boolean;
  favoritesCount: number;
  author: Profile;
};

export type ArticleDetail = ArticleSummary & { body: string };

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

const userIdByName = (username: string) =>
  sql`(select ${users.id} from ${users} where lower(${users.username}) = lower(${username}))`;

function filterCondition(filter: ArticleFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.tag !== undefined) {
    conditions.push(
      sql`${articles.id} in (select ${articleTags.articleId} from ${articleTags}
        join ${tags} on ${tags.id} = ${articleTags.tagId} where ${tags.name} = ${filter.tag})`,
    );
  }
  if (filter.author !== undefined) {
    conditions.push(sql`${articles.authorId} = ${userIdByName(filter.author)}`);
  }
  if (filter.favoritedBy !== undefined) {
    conditions.push(
      sql`${articles.id} in (select ${favorites.articleId} from ${favorites}
        where ${favorites.userId} = ${userIdByName(filter.favoritedBy)})`,
    );
  }
  if (filter.feedOf !== undefined) {
    conditions.push(
      sql`${articles.authorId} in (select ${follows.followedId} from ${follows}
        where ${follows.followerId} = ${filter.feedOf})`,
    );
  }
  return conditions.length ? and(...conditions) : undefined;
}

/** Columns every article view needs; viewer-dependent flags are 0 for anonymous readers. */
function summaryColumns(viewerId: number | null) {
  return {
    id: articles.id,
    slug: articles.slug,
    title: articles.title,
    description: articles.description,
    createdAt: articles.createdAt,
    updatedAt: articles.updatedAt,
    favoritesCount: sql<number>`(select count(*) from ${favorites} where ${favorites.articleId} = ${articles.id})`,
    favorited:
      viewerId === null
        ? sql<number>`0`
        : sql<number>`exists(select 1 from ${favorites} where ${favorites.articleId} = ${articles.id} and ${favorites.userId} = ${viewerId})`,
    authorId: users.id,
    authorUsername: users.username,
    authorBio: users.bio,
    authorImage: users.image,
    following: followingFlag(viewerId, articles.authorId),
  };
}

type SummaryRow = {
  id: number;
  slug: string;
  title: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  favoritesCount: number;
  favorited: number;
  authorId: number;
  authorUsername: string;
  authorBio: string | null;
  authorImage: string | null;
  following: number;
};

function toSummary(row: SummaryRow, tagList: string[]): ArticleSummary {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    tagList,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
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

/** Tags of many articles in one query, each list in the order the author gave. */
function tagsForArticles(db: Db, ids: number[]): Map<number, string[]> {
  const byArticle = new Map<number, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byArticle;
  const rows = db
    .select({ articleId: articleTags.articleId, name: tags.name })
    .from(articleTags)
    .innerJoin(tags, eq(tags.id, articleTags.tagId))
    .where(inArray(articleTags.articleId, ids))
    .orderBy(articleTags.articleId, articleTags.position)
    .all();
  for (const row of rows) byArticle.get(row.articleId)?.push(row.name);
  return byArticle;
}

/** A page of articles, newest first (ties by id), in three queries whatever the page size. */
export function listArticles(
  db: Db,
  options: { filter?: ArticleFilter; viewerId: number | null; limit: number; offset: number },
): { articles: ArticleSummary[]; total: number } {
  const where = filterCondition(options.filter ?? {});
  const rows = db
    .select(summaryColumns(options.viewerId))
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(where)
    .orderBy(desc(articles.createdAt), desc(articles.id))
    .limit(options.limit)
    .offset(options.offset)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(articles).where(where).get()?.n ?? 0;
  const tagLists = tagsForArticles(
    db,
    rows.map((row) => row.id),
  );
  return { articles: rows.map((row) => toSummary(row, tagLists.get(row.id) ?? [])), total };
}

export function findArticleBySlug(db: Db, slug: string, viewerId: number | null): ArticleDetail | null {
  const row = db
    .select({ ...summaryColumns(viewerId), body: articles.body })
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(eq(articles.slug, slug))
    .get();
  if (!row) return null;
  const tagList = tagsForArticles(db, [row.id]).get(row.id) ?? [];
  return { ...toSummary(row, tagList), body: row.body };
}

/** Every tag used by at least one article, most used first. */
export function listTagsInUse(db: Db): string[] {
  return db
    .select({ name: tags.name })
    .from(tags)
    .innerJoin(articleTags, eq(articleTags.tagId, tags.id))
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

function replaceTags(db: Queryable, articleId: number, tagList: string[]): void {
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
    .values(tagList.map((name, position) => ({ articleId, tagId: ids.get(name)!, position })))
    .run();
}

export function createArticle(db: Db, authorId: number, input: ArticleInput, now: number): { id: number; slug: string } {
  return db.transaction((tx) => {
    const slug = uniqueSlug(slugify(input.title), takenSlugs(tx, slugify(input.title)));
    const row = tx
      .insert(articles)
      .values({
        slug,
        title: input.title,
        description: input.description,
        body: input.body,
        authorId,
        createdAt: new Date(now),
        updatedAt: new Date(now),
      })
      .returning({ id: articles.id })
      .get();
    replaceTags(tx, row.id, input.tagList);
    return { id: row.id, slug };
  });
}

/** Applies the given fields; a changed title gives a new slug; tagList undefined keeps the tags. */
export function updateArticle(
  db: Db,
  article: { id: number; title: string; slug: string },
  changes: Partial<ArticleInput>,
  now: number,
): { slug: string } {
  return db.transaction((tx) => {
    let slug = article.slug;
    if (changes.title !== undefined && changes.title !== article.title) {
      const base = slugify(changes.title);
      slug = uniqueSlug(base, takenSlugs(tx, base, article.id));
    }
    tx.update(articles)
      .set({
        slug,
        ...(changes.title !== undefined && { title: changes.title }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.body !== undefined && { body: changes.body }),
        updatedAt: new Date(now),
      })
      .where(eq(articles.id, article.id))
      .run();
    if (changes.tagList !== undefined) replaceTags(tx, article.id, changes.tagList);
    return { slug };
  });
}

export function deleteArticle(db: Db, articleId: number): void {
  db.delete(articles).where(eq(articles.id, articleId)).run();
}

export function favoriteArticle(db: Db, userId: number, articleId: number, now: number): void {
  db.insert(favorites)
    .values({ userId, articleId, createdAt: new Date(now) })
    .onConflictDoNothing()
    .run();
}

export function unfavoriteArticle(db: Db, userId: number, articleId: number): void {
  db.delete(favorites)
    .where(and(eq(favorites.userId, userId), eq(favorites.articleId, articleId)))
    .run();
}
