/**
 * What an article summary is made of, on either engine: the filters of a list, the columns every
 * view of an article reads, the row mapped to an ArticleSummary, and the tags of a page's
 * articles. The queries (src/articles/queries.ts) and search (src/search/) compose them.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { idListValue, inIdList, preparedQuery, type Tables } from '../db/engine';
import { followingFlag } from '../profiles/following';
import { listed } from './visibility';

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
  /** null unless moderation hides it (only its author and moderators ever see it then) */
  hidden: ArticleHidden | null;
  readingMinutes: number;
  /** an uploaded image's address (/media/..., src/media/names.ts), or null */
  coverImage: string | null;
  favorited: boolean;
  favoritesCount: number;
  author: Profile;
};

export type ArticleDetail = ArticleSummary & { body: string; bodyHtml: string };

/** Why an article or comment is hidden: a moderator's reason, or its author's suspension. */
export type ArticleHidden = { at: Date; cause: 'moderation' | 'suspension'; reason: string | null };

/** The hidden state of a row read with its hidden_* columns. */
export function hiddenOf(row: { hiddenAt: Date | null; hiddenCause: string | null; hiddenReason: string | null }): ArticleHidden | null {
  if (row.hiddenAt === null) return null;
  return { at: row.hiddenAt, cause: row.hiddenCause === 'suspension' ? 'suspension' : 'moderation', reason: row.hiddenReason };
}

export type ArticleFilter = {
  tag?: string;
  /** author's username */
  author?: string;
  /** username of someone who favorited the articles */
  favoritedBy?: string;
  /** id of the user whose followed authors' articles make the feed */
  feedOf?: number;
};

/** `coverImage`: an uploaded image's address, null for none; left out, a change keeps the cover. */
export type ArticleInput = { title: string; description: string; body: string; tagList: string[]; coverImage?: string | null };

const userIdByName = ({ users }: Tables, placeholder: string) =>
  sql`(select ${users.id} from ${users} where lower(${users.username}) = lower(${sql.placeholder(placeholder)}))`;

export type FilterKey = keyof ArticleFilter;
export const FILTER_KEYS: FilterKey[] = ['tag', 'author', 'favoritedBy', 'feedOf'];

/** The id of the tag named by the placeholder `tag`. */
export const tagIdByName = ({ tags }: Tables) => sql`(select ${tags.id} from ${tags} where ${tags.name} = ${sql.placeholder('tag')})`;

/** The WHERE of a list on articles, with a placeholder for each filter given (tag aside). */
export function filterCondition(t: Tables, keys: FilterKey[]): SQL | undefined {
  const { articles, favorites, follows } = t;
  // only listed articles are in a list, a count, a feed or a tag
  const conditions: SQL[] = [listed(t)];
  if (keys.includes('author')) {
    conditions.push(sql`${articles.authorId} = ${userIdByName(t, 'author')}`);
  }
  if (keys.includes('favoritedBy')) {
    conditions.push(
      sql`${articles.id} in (select ${favorites.articleId} from ${favorites}
        where ${favorites.userId} = ${userIdByName(t, 'favoritedBy')})`,
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
export function listedColumns({ articles, users }: Tables) {
  return {
    id: articles.id,
    slug: articles.slug,
    title: articles.title,
    description: articles.description,
    createdAt: articles.createdAt,
    updatedAt: articles.updatedAt,
    publishedAt: articles.publishedAt,
    hiddenAt: articles.hiddenAt,
    hiddenCause: articles.hiddenCause,
    hiddenReason: articles.hiddenReason,
    readingMinutes: articles.readingMinutes,
    coverImage: articles.coverImage,
    favoritesCount: articles.favoritesCount,
    authorId: users.id,
    authorUsername: users.username,
    authorBio: users.bio,
    authorImage: users.image,
  };
}

/** Columns every article view needs; the viewer's flags are 0 for the anonymous viewer (-1). */
export function summaryColumns(t: Tables) {
  const { articles, favorites } = t;
  const viewer = sql.placeholder('viewer');
  return {
    ...listedColumns(t),
    favorited: sql<number>`exists(select 1 from ${favorites} where ${favorites.articleId} = ${articles.id} and ${favorites.userId} = ${viewer})`,
    following: followingFlag(t, viewer, articles.authorId),
  };
}

export type SummaryRow = {
  id: number;
  slug: string;
  title: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  hiddenAt: Date | null;
  hiddenCause: string | null;
  hiddenReason: string | null;
  readingMinutes: number;
  coverImage: string | null;
  favoritesCount: number;
  /** the viewer's flags (0/1 on SQLite, booleans on PostgreSQL); a list reads them apart (viewerFlags) */
  favorited?: number | boolean;
  authorId: number;
  authorUsername: string;
  authorBio: string | null;
  authorImage: string | null;
  following?: number | boolean;
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
    hidden: hiddenOf(row),
    readingMinutes: row.readingMinutes,
    coverImage: row.coverImage,
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
 * Tags of many articles in one prepared query (the ids bound as one list), in the author's order.
 * A part of the query functions that call it.
 */
export async function tagsForArticles(db: Db, ids: number[]): Promise<Map<number, string[]>> {
  const byArticle = new Map<number, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byArticle;
  const query = preparedQuery(db, 'tags-of-articles', ({ articleTags, tags }) =>
    db
      .select({ articleId: articleTags.articleId, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(inIdList(db, articleTags.articleId, sql.placeholder('ids')))
      .orderBy(articleTags.articleId, articleTags.position),
  );
  for (const row of await query.rows({ ids: idListValue(db, ids) })) byArticle.get(row.articleId)?.push(row.name);
  return byArticle;
}
