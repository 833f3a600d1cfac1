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

  it('keeps values while their total weight is within the bound, the newest even when heavier', () => {
    const db = { $client: {} };
    let computed = 0;
    const get = (key: string, weight: number) =>
      memoRecentByVersion(db, 'weighted', 10, key, () => `${key}${++computed}`, () => weight);
    expect([get('a', 4), get('b', 4), get('a', 4)]).toEqual(['a1', 'b2', 'a1']);
    expect(get('c', 4)).toBe('c3'); // 12 > 10: b, the least recently used, goes
    expect([get('a', 4), get('c', 4), get('b', 4)]).toEqual(['a1', 'c3', 'b4']);
    expect(get('d', 20)).toBe('d5'); // alone above the bound, yet kept until the next one
    expect(get('d', 20)).toBe('d5');
    expect(get('a', 4)).toBe('a6');
    expect(get('d', 20)).toBe('d7');
  });
});
