import { describe, expect, it } from 'vitest';
import { CACHE_KIB, openDatabase } from './client';

describe('openDatabase', () => {
  it('bounds SQLite\'s page cache below better-sqlite3\'s 16 MB', async () => {
    const db = openDatabase(':memory:');
    expect(db.$client.pragma('cache_size', { simple: true })).toBe(-CACHE_KIB);
    expect(CACHE_KIB).toBeLessThan(16000);
    db.$client.close();
  });
});
