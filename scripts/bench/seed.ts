/**
 * The fast bulk loader: the real migrations (openDatabase), then raw prepared statements in one
 * transaction. Going through the app would take minutes; this takes seconds.
 */
import { slugify, uniqueSlug } from '../../src/articles/slug';
import { createSession } from '../../src/auth/session';
import { renderMissingBodies } from '../../src/articles/render-bodies';
import { openDatabase } from '../../src/db/client';
import { closeDatabase } from '../../src/db/engine';
import { createRng, createZipf, distinctIndexes, shuffle } from './random';
import { bio, commentBody, description, markdownBody, TAG_NAMES, title, username } from './text';

export type DatasetSpec = {
  name: 'large' | 'small';
  users: number;
  articles: number;
  comments: number;
  favorites: number;
  /** each user follows about this many others (the reader exactly this many) */
  followsPerUser: number;
};

/** Users and follows stay the same in both sizes: only what grows with articles is scaled. */
export const LARGE: DatasetSpec = {
  name: 'large',
  users: 200,
  articles: 10_000,
  comments: 50_000,
  favorites: 100_000,
  followsPerUser: 20,
};
export const SMALL: DatasetSpec = { ...LARGE, name: 'small', articles: 1_000, comments: 5_000, favorites: 10_000 };

/** The article page target: exactly this many comments, in both sizes. */
export const KNOWN_ARTICLE_COMMENTS = 50;
const WRITER_COUNT = 8;
const RNG_SEED = 20_240_601;
const START_MS = Date.UTC(2024, 0, 1);

export type SeededDataset = {
  spec: DatasetSpec;
  file: string;
  seedMs: number;
  counts: Record<'users' | 'tags' | 'articles' | 'articleTags' | 'comments' | 'favorites' | 'follows', number>;
  popularTag: string;
  /** the author with the most articles */
  profileUsername: string;
  knownArticleSlug: string;
  /** signed in through a session cookie; follows followsPerUser authors */
  reader: { username: string; token: string; follows: number };
  /** API tokens of the users who post comments in the write mix */
  writerTokens: string[];
  /** articles the write mix comments on (never the known article) */
  writeSlugs: string[];
  /** what the loader adapted to in the schema */
  notes: string[];
};

/** created_at only ever moves forward, so every row has its own millisecond. */
function createClock(rng: ReturnType<typeof createRng>) {
  let now = START_MS;
  return (maxGapMs: number) => (now += 1 + rng.int(maxGapMs));
}

export async function seedDataset(file: string, spec: DatasetSpec, passwordHash: string): Promise<SeededDataset> {
  const started = performance.now();
  const rng = createRng(RNG_SEED);
  const tick = createClock(rng);
  const db = openDatabase(file);
  const sqlite = db.$client;
  const hasColumn = (table: string, column: string) =>
    sqlite.prepare('select 1 from pragma_table_info(?) where name = ?').get(table, column) !== undefined;
  const insertInto = (table: string, columns: string[]) =>
    sqlite.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
  // with drafts, an article whose published_at is null is a draft: every seeded one is published
  const published = hasColumn('articles', 'published_at') ? ['published_at'] : [];
  const tagPublished = hasColumn('article_tags', 'published_at') ? ['published_at'] : [];
  const insert = {
    user: insertInto('users', ['id', 'username', 'email', 'password_hash', 'bio', 'created_at', 'updated_at']),
    tag: insertInto('tags', ['id', 'name']),
    article: insertInto('articles', ['id', 'slug', 'title', 'description', 'body', 'author_id', 'created_at', 'updated_at', ...published]),
    articleTag: insertInto('article_tags', ['article_id', 'tag_id', 'position', ...tagPublished]),
    comment: insertInto('comments', ['body', 'article_id', 'author_id', 'created_at', 'updated_at']),
    favorite: insertInto('favorites', ['user_id', 'article_id', 'created_at']),
    follow: insertInto('follows', ['follower_id', 'followed_id', 'created_at']),
  };
  const counts = { users: 0, tags: 0, articles: 0, articleTags: 0, comments: 0, favorites: 0, follows: 0 };
  const usernames: string[] = [];
  const slugs: string[] = [];
  const articlesByAuthor = new Array<number>(spec.users).fill(0);
  const tagUses = new Array<number>(TAG_NAMES.length).fill(0);
  const knownArticle = Math.floor(spec.articles / 2); // index; its id is index + 1

  sqlite.transaction(() => {
    for (let i = 0; i < spec.users; i++) {
      const name = username(rng, i);
      const at = tick(3_600_000);
      usernames.push(name);
      insert.user.run(i + 1, name, `${name.toLowerCase()}@example.com`, passwordHash, bio(rng), at, at);
    }
    counts.users = spec.users;
    TAG_NAMES.forEach((name, i) => insert.tag.run(i + 1, name));
    counts.tags = TAG_NAMES.length;

    // a few prolific authors and a few popular tags; the reader (user 1) is not the top author
    const authorOrder = shuffle(rng, Array.from({ length: spec.users }, (_, i) => i));
    const drawAuthor = createZipf(rng, spec.users, 0.5);
    const drawTag = createZipf(rng, TAG_NAMES.length, 1);
    const taken = new Set<string>();
    for (let i = 0; i < spec.articles; i++) {
      const tagIndexes = new Set<number>();
      const tagCount = rng.between(1, 4);
      while (tagIndexes.size < tagCount) tagIndexes.add(drawTag());
      const tagList = [...tagIndexes];
      const articleTitle = title(rng, TAG_NAMES[tagList[0]!]!);
      const slug = uniqueSlug(slugify(articleTitle), taken);
      taken.add(slug);
      slugs.push(slug);
      const author = authorOrder[drawAuthor()]!;
      articlesByAuthor[author]!++;
      const at = tick(30 * 60_000);
      const publishedAt = published.map(() => at);
      insert.article.run(i + 1, slug, articleTitle, description(rng), markdownBody(rng), author + 1, at, at, ...publishedAt);
      tagList.forEach((tag, position) => {
        tagUses[tag]!++;
        insert.articleTag.run(i + 1, tag + 1, position, ...tagPublished.map(() => at));
      });
      counts.articleTags += tagList.length;
    }
    counts.articles = spec.articles;

    const addComment = (article: number) => {
      const at = tick(120_000);
      insert.comment.run(commentBody(rng), article + 1, rng.int(spec.users) + 1, at, at);
      counts.comments++;
    };
    for (let i = 0; i < KNOWN_ARTICLE_COMMENTS; i++) addComment(knownArticle);
    while (counts.comments < spec.comments) {
      const article = rng.int(spec.articles);
      if (article !== knownArticle) addComment(article);
    }

    // newer articles collect more favorites; each (user, article) pair once
    const pairs = new Set<number>();
    while (pairs.size < spec.favorites) {
      const user = rng.int(spec.users);
      const article = spec.articles - 1 - Math.floor(spec.articles * Math.pow(rng.next(), 1.5));
      const key = user * spec.articles + article;
      if (pairs.has(key)) continue;
      pairs.add(key);
      insert.favorite.run(user + 1, article + 1, tick(60_000));
    }
    counts.favorites = pairs.size;
    // the app keeps each article's count on its row as favorites come and go: set it in one go
    if (hasColumn('articles', 'favorites_count')) {
      sqlite.exec('update articles set favorites_count = (select count(*) from favorites where favorites.article_id = articles.id)');
    }

    for (let user = 0; user < spec.users; user++) {
      const n = user === 0 ? spec.followsPerUser : rng.between(spec.followsPerUser - 5, spec.followsPerUser + 5);
      for (const followed of distinctIndexes(rng, n, spec.users, user)) {
        insert.follow.run(user + 1, followed + 1, tick(60_000));
        counts.follows++;
      }
    }
  })();

  const notes = fillSearchIndex(sqlite);
  const now = Date.now();
  const session = async (userId: number) => (await createSession(db, userId, { now, userAgent: 'quire-bench' })).token;
  const reader = { username: usernames[0]!, token: await session(1), follows: spec.followsPerUser };
  const writerTokens = await Promise.all(Array.from({ length: WRITER_COUNT }, (_, i) => session(i + 2)));
  sqlite.close();
  // what the app derives from a row when saving it (rendered HTML, reading time...) the server
  // backfills when it starts: done here, so it is not in the server's start-up
  const reopened = openDatabase(file);
  await renderMissingBodies(reopened);
  await closeDatabase(reopened, { checkpoint: true });

  const topAuthor = articlesByAuthor.indexOf(Math.max(...articlesByAuthor));
  const popularTag = TAG_NAMES[tagUses.indexOf(Math.max(...tagUses))]!;
  const writeSlugs = slugs.filter((_, i) => i !== knownArticle);
  return {
    spec,
    file,
    seedMs: performance.now() - started,
    counts,
    popularTag,
    profileUsername: usernames[topAuthor]!,
    knownArticleSlug: slugs[knownArticle]!,
    reader,
    writerTokens,
    writeSlugs,
    notes,
  };
}

/**
 * The app keeps its search index in step when an article is saved, which the bulk insert skips:
 * index every article as the index's migration does for existing ones. Returns what was done.
 */
function fillSearchIndex(sqlite: ReturnType<typeof openDatabase>['$client']): string[] {
  if (!sqlite.prepare("select 1 from sqlite_master where name = 'articles_fts'").get()) return [];
  try {
    sqlite.exec(`insert into articles_fts (rowid, title, description, body, tags)
      select a.id, a.title, a.description, a.body,
        coalesce((select group_concat(t.name, ' ') from article_tags at join tags t on t.id = at.tag_id
          where at.article_id = a.id), '')
      from articles a`);
    return ['search index (articles_fts) filled'];
  } catch (error) {
    return [`search index (articles_fts) left empty: ${(error as Error).message}`];
  }
}
