import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { retainStatements } from './statements';

describe('retainStatements', () => {
  it('gives back the same statement for the same SQL, so none is ever garbage-collected', async () => {
    const sqlite = retainStatements(new Database(':memory:'));
    sqlite.exec('create table t (a integer)');
    expect(sqlite.prepare('select a from t')).toBe(sqlite.prepare('select a from t'));
    expect(sqlite.prepare('select a from t')).not.toBe(sqlite.prepare('select a + 1 from t'));
  });

  it('starts a reused statement in its default modes', async () => {
    const sqlite = retainStatements(new Database(':memory:'));
    sqlite.exec('create table t (a integer); insert into t values (7)');
    expect(sqlite.prepare('select a from t').raw().all()).toEqual([[7]]);
    expect(sqlite.prepare('select a from t').all()).toEqual([{ a: 7 }]);
    expect(sqlite.prepare('select a from t').pluck().get()).toBe(7);
    expect(sqlite.prepare('select a from t').get()).toEqual({ a: 7 });
  });

  it('routes pragma() through the retained statements, for readers and setters alike', async () => {
    const sqlite = retainStatements(new Database(':memory:'));
    expect(sqlite.pragma('synchronous = NORMAL')).toEqual([]);
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(1);
    expect(sqlite.pragma('foreign_keys = ON')).toEqual([]);
    expect(sqlite.pragma('foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
