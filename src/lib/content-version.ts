/**
 * One number per database that every write changing what a page shows moves on (articles,
 * comments, favorites, follows, profiles). Session bookkeeping does not. One process owns the
 * database, so whatever was computed at version N is exact until the version moves: the page
 * cache and the memoised counts and tag list rely on it.
 */
type Versioned = {
  version: number;
  comments: number;
  memo: Map<string, unknown>;
  /** memoRecentByVersion's namespaces */
  recent: Map<string, Recent<unknown>>;
};

/** Values in least recently used first order, and their total weight. */
type Recent<T> = { values: Map<string, { value: T; weight: number }>; weight: number };

const versions = new WeakMap<object, Versioned>();

function state(db: { $client: object }): Versioned {
  let entry = versions.get(db.$client);
  if (!entry) {
    entry = { version: 1, comments: 1, memo: new Map(), recent: new Map() };
    versions.set(db.$client, entry);
  }
  return entry;
}

export function bumpContentVersion(db: { $client: object }): void {
  const entry = state(db);
  entry.version++;
  entry.memo.clear();
  entry.recent.clear();
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
  let kept = recent.get(namespace) as Recent<T> | undefined;
  if (!kept) {
    kept = { values: new Map(), weight: 0 };
    recent.set(namespace, kept as Recent<unknown>);
  }
  const hit = kept.values.get(key);
  if (hit) {
    kept.values.delete(key);
    kept.values.set(key, hit); // most recently used last
    return hit.value;
  }
  const value = compute();
  const entry = { value, weight: weight(value) };
  kept.values.set(key, entry);
  kept.weight += entry.weight;
  for (const [oldest, { weight: w }] of kept.values) {
    if (kept.weight <= max || oldest === key) break;
    kept.values.delete(oldest);
    kept.weight -= w;
  }
  return value;
}
