import type { Representation } from '../lib/representation';
import { Lru } from '../lib/lru';
import type { Stamp } from './versions';

/** A rendered 200 response, with its compressed forms made once (cached entries) or on demand. */
export type Entry = Representation & {
  /** the content it was rendered from */
  stamp: Stamp;
};

/** A bounded LRU of rendered responses for anonymous readers, keyed by path and query; 0 entries keeps none. */
export class PageCache {
  private readonly entries: Lru<Entry>;

  constructor(
    private readonly maxEntries: number,
    maxBytes: number,
  ) {
    this.entries = new Lru(maxBytes, maxEntries);
  }

  /** The entry for `key` if `current` says its content is still the current one (else it is dropped). */
  async get(key: string, current: (stamp: Stamp) => boolean | Promise<boolean>): Promise<Entry | undefined> {
    const entry = this.lookup(key);
    if (entry === undefined) return undefined;
    if (await current(entry.stamp)) return entry;
    this.forget(key, entry);
    return undefined;
  }

  /** The entry for `key`, current or not: the caller asks whether it is, and forgets it if not. */
  lookup(key: string): Entry | undefined {
    return this.maxEntries === 0 ? undefined : this.entries.get(key);
  }

  /** Drops an entry found no longer current, unless a fresh one has taken its place meanwhile. */
  forget(key: string, entry: Entry): void {
    if (this.entries.peek(key) === entry) this.entries.delete(key);
  }

  set(key: string, entry: Entry): void {
    if (this.maxEntries === 0) return;
    this.entries.set(key, entry, size(entry));
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * What an entry weighs in the cache: its body, and as much again for the br and gzip copies made
 * on first request (for HTML and JSON the two together stay well under the body's size).
 */
function size(entry: Entry): number {
  return 2 * entry.body.byteLength;
}
