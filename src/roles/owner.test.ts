import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api } from '../api/test-helpers';
import { signUp } from '../auth/use-cases';
import { CLI_CALLER } from '../core';
import { tablesOf } from '../db/engine';
import { createTestApp, createTestCore, testCaller } from '../test-support';

const person = (name: string) => ({ username: name, email: `${name}@example.com`, password: `lantern orchard ${name}` });

describe('the owner', () => {
  it('is the first account of a new site, whichever door it joins by; everyone after is an author', async () => {
    const t = await createTestApp();
    const first = await api(t).post('/users', { user: person('founder') });
    expect(first.status).toBe(201);
    await api(t).post('/users', { user: person('second') });
    const { users } = tablesOf(t.db);
    const roles = await t.db.select({ username: users.username, role: users.role }).from(users).orderBy(users.id);
    expect(roles).toEqual([
      { username: 'founder', role: 'owner' },
      { username: 'second', role: 'author' },
    ]);
  });

  it('is one: the operator may create an owner only on a site without one, and roles only at the CLI', async () => {
    const { core } = await createTestCore();
    const made = await signUp(core, CLI_CALLER, { ...person('admin1'), role: 'admin' });
    expect(made.ok && made.value.user.role).toBe('admin');
    // the first account is not the owner when the operator said otherwise: the site has none yet
    const owner = await signUp(core, CLI_CALLER, { ...person('boss'), role: 'owner' });
    expect(owner.ok && owner.value.user.role).toBe('owner');
    const second = await signUp(core, CLI_CALLER, { ...person('usurper'), role: 'owner' });
    expect(second).toEqual({ ok: false, errors: { role: ['is taken: the site already has an owner, who can hand the role over'] } });
    await expect(signUp(core, testCaller(), { ...person('sneaky'), role: 'admin' })).rejects.toThrow('Only the operator');
    const { users } = tablesOf(core.db);
    expect(await core.db.select({ username: users.username }).from(users).where(eq(users.role, 'owner'))).toEqual([{ username: 'boss' }]);
  });

  it('cannot be given twice, even by a write that skips the use case: the database refuses a second', async () => {
    const { core } = await createTestCore();
    await signUp(core, CLI_CALLER, person('founder'));
    await signUp(core, CLI_CALLER, person('other'));
    const { users } = tablesOf(core.db);
    await expect(core.db.update(users).set({ role: 'owner' }).where(eq(users.username, 'other'))).rejects.toThrow();
  });
});
