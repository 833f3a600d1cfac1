import { describe, expect, it } from 'vitest';
import { Lru } from './lru';

describe('Lru', () => {
  it('forgets the least recently used first once the total weight is over its bound', async () => {
    const lru = new Lru<string>(10);
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A'); // a is now the most recently used
    lru.set('c', 'C', 4);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.get('c')).toBe('C');
  });

  it('also bounds the number of entries, and counts a replaced entry once', async () => {
    const lru = new Lru<number>(Number.POSITIVE_INFINITY, 2);
    lru.set('a', 1);
    lru.set('a', 2);
    lru.set('b', 3);
    expect(lru.size).toBe(2);
    lru.set('c', 4);
    expect(lru.size).toBe(2);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.get('b')).toBe(3);
  });

  it('keeps the newest entry even when it alone is over the bound', async () => {
    const lru = new Lru<string>(5);
    lru.set('a', 'A', 2);
    lru.set('big', 'BIG', 9);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.get('big')).toBe('BIG');
  });

  it('gives back the weight of deleted entries', async () => {
    const lru = new Lru<string>(5);
    lru.set('a', 'A', 5);
    lru.delete('a');
    lru.set('b', 'B', 5);
    expect(lru.get('b')).toBe('B');
    expect(lru.size).toBe(1);
  });
});
