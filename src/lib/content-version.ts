import { Lru } from './lru';

/**
 * One number per database that every write changing what a page shows moves on (articles,
 * favorites, follows, profiles), and one per article for its comments. Session bookkeeping moves
 * none. One process owns the database, so whatever was computed at version N is exact until the
 * version moves: the page cache and the memoised lists, counts and tag list rely on it.
 */
type Versioned = {
  version: number;
  /** every comment written or deleted, on any article */
  comments: number;
  /** per article id, since the last content version (a new version makes every stamp stale) */
  commentsOf: Map<number, number>;
  memo: Map<string, unknown>;
  /** memoRecentByVersion's namespaces */
  recent: Map<string, Lru<unknown>>;
};

const versions = new WeakMap<object, Versioned>();

function state(db: { $client: object }): Versioned {
  let entry = versions.get(db.$client);
  if (!entry) {
    entry = { version: 1, comments: 1, commentsOf: new Map(), memo: new Map(), recent: new Map() };
    versions.set(db.$client, entry);
  }
  return entry;
}

export function bumpContentVersion(db: { $client: object }): void {
  const entry = state(db);
  entry.version++;
  entry.commentsOf.clear();
  entry.memo.clear();
  entry.recent.clear();
}

/** A comment written on or deleted from `articleId`: only what shows that article's comments moves. */
export function bumpCommentsVersion(db: { $client: object }, articleId: number): void {
  const entry = state(db);
  entry.comments++;
  entry.commentsOf.set(articleId, (entry.commentsOf.get(articleId) ?? 0) + 1);
}

/** What a response was computed at: the content version and, if it shows an article's comments, theirs. */
export type Stamp = { version: number; article: number | null; comments: number };

export function currentStamp(db: { $client: object }, commentsOf: number | null): Stamp {
  const entry = state(db);
  return { version: entry.version, article: commentsOf, comments: commentsOf === null ? 0 : (entry.commentsOf.get(commentsOf) ?? 0) };
}

/** Whether what was computed at `stamp` is still what would be computed now. */
export function isCurrent(db: { $client: object }, stamp: Stamp): boolean {
  const entry = state(db);
  if (stamp.version !== entry.version) return false;
  return stamp.article === null || (entry.commentsOf.get(stamp.article) ?? 0) === stamp.comments;
}

/** Moves with every write of any kind: equal before and after a computation, no write happened in between. */
export function writeMark(db: { $client: object }): string {
  const entry = state(db);
  return `${entry.version}.${entry.comments}`;
}

/** `compute()` once per content version for `key` (tag lists, list totals). */
export function memoByVersion<T>(db: { $client: object }, key: string, compute: () => T): T {
  const { memo } = state(db);
  if (memo.has(key)) return memo.get(key) as T;
  const value = compute();
  memo.set(key, value);
  return value;
}

/**
 * memoByVersion for keys with no small bound (every page of every list): the most recently used
 * values of `namespace` are kept while their total `weight` (1 each unless given) is at most `max`.
 */
export function memoRecentByVersion<T>(
  db: { $client: object },
  namespace: string,
  max: number,
  key: string,
  compute: () => T,
  weight: (value: T) => number = () => 1,
): T {
  const { recent } = state(db);
  let kept = recent.get(namespace) as Lru<T> | undefined;
  if (!kept) {
    kept = new Lru<T>(max);
    recent.set(namespace, kept as Lru<unknown>);
  }
  const hit = kept.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  kept.set(key, value, weight(value));
  return value;
}
