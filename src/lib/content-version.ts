/**
 * One number per database that every write changing what a page shows moves on (articles,
 * comments, favorites, follows, profiles). Session bookkeeping does not. One process owns the
 * database, so whatever was computed at version N is exact until the version moves: the page
 * cache and the memoised counts and tag list rely on it.
 */
type Versioned = { version: number; comments: number; memo: Map<string, unknown> };

const versions = new WeakMap<object, Versioned>();

function state(db: { $client: object }): Versioned {
  let entry = versions.get(db.$client);
  if (!entry) {
    entry = { version: 1, comments: 1, memo: new Map() };
    versions.set(db.$client, entry);
  }
  return entry;
}

export function bumpContentVersion(db: { $client: object }): void {
  const entry = state(db);
  entry.version++;
  entry.memo.clear();
}

/** Comments move their own version: only the pages that show comments depend on it. */
export function bumpCommentsVersion(db: { $client: object }): void {
  state(db).comments++;
}

/** The version a cached response depends on: pages that show comments also on the comments'. */
export function pageVersion(db: { $client: object }, showsComments: boolean): string {
  const entry = state(db);
  return showsComments ? `${entry.version}.${entry.comments}` : String(entry.version);
}

/** `compute()` once per content version for `key` (tag lists, list totals). */
export function memoByVersion<T>(db: { $client: object }, key: string, compute: () => T): T {
  const { memo } = state(db);
  if (memo.has(key)) return memo.get(key) as T;
  const value = compute();
  memo.set(key, value);
  return value;
}
