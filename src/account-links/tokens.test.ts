import { describe, expect, it } from 'vitest';
import { tablesOf } from '../db/engine';
import { createTestCore, insertUser } from '../test-support';
import { deleteExpiredAccountTokens, findAccountToken, newAccountToken, storeAccountToken } from './tokens';

describe('the clean-up of mailed links', () => {
  it('deletes links past their time, a hundred a step, and keeps the live ones', async () => {
    const { core, clock } = await createTestCore();
    const user = await insertUser(core.db, 'ada');
    const live = newAccountToken();
    await storeAccountToken(core.db, { token: live, purpose: 'password-reset', userId: user.id, now: clock(), lifetimeMs: 60 * 60_000 });
    for (let i = 0; i < 105; i++) {
      await storeAccountToken(core.db, { token: newAccountToken(), purpose: 'email-confirm', userId: user.id, now: clock(), lifetimeMs: 60_000 });
    }
    clock.advance(2 * 60_000);
    expect(await deleteExpiredAccountTokens(core.db, clock())).toEqual({ deleted: 100, next: 'more' });
    expect(await deleteExpiredAccountTokens(core.db, clock())).toEqual({ deleted: 5, next: null });
    expect(await core.db.select().from(tablesOf(core.db).accountTokens)).toHaveLength(1);
    expect((await findAccountToken(core.db, 'password-reset', live, clock())).state).toBe('open');
  });
});
