/**
 * On PostgreSQL a transaction aborted as a serialization failure or a deadlock is run again
 * (src/db/postgres.ts pgTransaction), so a use case's transaction may run its work twice. What the
 * database does not roll back, spending a rate limit, must then happen once. SQLite never runs a
 * transaction's work again: nothing to test there.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { favoriteArticle } from '../articles/use-cases';
import { addComment } from '../comments/use-cases';
import { tablesOf } from '../db/engine';
import { followUser } from '../profiles/use-cases';
import { createTestCore, insertArticle, insertUser, rowCount, runSql, sqlRows, testCaller } from '../test-support';

/**
 * The first insert into `table` fails as a serialization failure (SQLSTATE 40001); the transaction
 * is then run again, and that insert goes through. A sequence counts: it is not rolled back.
 */
const failFirstInsert = (table: string) => `
  create sequence ${table}_attempts;
  create function ${table}_fail_first() returns trigger language plpgsql as $$
  begin
    if nextval('${table}_attempts') = 1 then
      raise exception 'forced serialization failure' using errcode = '40001';
    end if;
    return new;
  end $$;
  create trigger ${table}_fail_first before insert on ${table} for each row execute function ${table}_fail_first();`;

describe('a use case whose transaction PostgreSQL runs again', () => {
  it('spends its rate limit once: a comment, a favorite and a follow at a limit of one each', async () => {
    const { core } = await createTestCore({ engine: 'postgres', env: { RATE_LIMIT_COMMENTS: '1/h', RATE_LIMIT_FAVORITES: '1/h', RATE_LIMIT_FOLLOWS: '1/h' } });
    const author = await insertUser(core.db, 'author');
    const reader = await insertUser(core.db, 'reader');
    const { slug } = await insertArticle(core.db, author.id, { title: 'Retried' });
    for (const table of ['comments', 'favorites', 'follows']) await runSql(core.db, failFirstInsert(table));
    const asReader = testCaller({ userId: reader.id });

    expect((await addComment(core, asReader, { slug, body: 'Once' })).body).toBe('Once');
    expect((await favoriteArticle(core, asReader, { slug })).favorited).toBe(true);
    expect((await followUser(core, asReader, { username: 'author' })).following).toBe(true);

    const { comments, favorites, follows } = tablesOf(core.db);
    expect([await rowCount(core.db, comments), await rowCount(core.db, favorites), await rowCount(core.db, follows)]).toEqual([1, 1, 1]);
    // each first attempt did fail, and was run again
    const attempts = await sqlRows(core.db, sql`select (select last_value from comments_attempts) as comments, (select last_value from favorites_attempts) as favorites, (select last_value from follows_attempts) as follows`);
    expect(attempts).toEqual([{ comments: 2, favorites: 2, follows: 2 }]);
  });
});
