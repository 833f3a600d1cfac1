import { describe, expect, it } from 'vitest';
import { bumpContentVersion, memoRecentByVersion } from './content-version';

describe('memoRecentByVersion', () => {
  it('computes once per key and version, keeping only the most recently used keys', () => {
    const db = { $client: {} };
    let computed = 0;
    const get = (key: string) => memoRecentByVersion(db, 'test', 2, key, () => `${key}${++computed}`);
    expect([get('a'), get('b'), get('a')]).toEqual(['a1', 'b2', 'a1']);
    expect(get('c')).toBe('c3'); // b was the least recently used
    expect([get('a'), get('c')]).toEqual(['a1', 'c3']);
    expect(get('b')).toBe('b4');
    bumpContentVersion(db);
    expect(get('b')).toBe('b5');
  });
});
