import { describe, expect, it } from 'vitest';
import { users } from '../db/schema';
import { Browser, createTestApp, dom, insertUser, PASSWORD, type TestApp } from '../test-support';

const HOUR = 60 * 60_000;

async function withRegistered(count: number, env: Record<string, string>): Promise<TestApp> {
  const t = await createTestApp({ env });
  for (let i = 0; i < count; i++) await insertUser(t.db, `member${i}`);
  return t;
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('sign-up answers do not test names faster than the sign-up limit', () => {
  it('spends the limit on every attempt, taken or free, and then answers 429 whatever the names (form)', async () => {
    const t = await withRegistered(30, { RATE_LIMIT_SIGNUP: '3/h' });
    const prober = new Browser(t.app, { ip: '203.0.113.90' });
    const statuses: number[] = [];
    let revealed = 0;
    for (let i = 0; i < 30; i++) {
      const res = await prober.post('/register', { username: `probe${i}`, email: `member${i}@example.com`, password: PASSWORD });
      statuses.push(res.status);
      if ((await res.text()).includes('has already been taken')) revealed++;
    }
    expect(revealed).toBe(3);
    expect(statuses.slice(0, 3)).toEqual([422, 422, 422]);
    expect(statuses.slice(3).every((s) => s === 429)).toBe(true);

    // the same answer for a free email as for a registered one
    const free = await prober.post('/register', { username: 'newcomer', email: 'newcomer@example.com', password: PASSWORD });
    const taken = await prober.post('/register', { username: 'member0', email: 'member0@example.com', password: PASSWORD });
    expect(free.status).toBe(429);
    expect(taken.status).toBe(429);
    const errorsOf = async (res: Response) => dom(await res.text()).querySelector('.error-messages')?.text;
    expect(await errorsOf(free)).toBe(await errorsOf(taken));
    expect(await t.db.select().from(users)).toHaveLength(30);
  });

  it('once the address was refused sign-up, registered emails and usernames get the 429 too', async () => {
    const t = await withRegistered(30, { RATE_LIMIT_SIGNUP: '2/h' });
    const prober = new Browser(t.app, { ip: '203.0.113.91' });
    expect((await prober.post('/register', { username: 'first', email: 'first@example.com', password: PASSWORD })).status).toBe(303);
    const second = new Browser(t.app, { ip: '203.0.113.91' });
    expect((await second.post('/register', { username: 'second', email: 'second@example.com', password: PASSWORD })).status).toBe(303);
    const refused = await new Browser(t.app, { ip: '203.0.113.91' }).post('/register', { username: 'third', email: 'third@example.com', password: PASSWORD });
    expect(refused.status).toBe(429);
    for (let i = 0; i < 30; i++) {
      const byEmail = await prober.post('/register', { username: `probe${i}`, email: `member${i}@example.com`, password: PASSWORD });
      const byName = await prober.post('/register', { username: `member${i}`, email: `probe${i}@example.com`, password: PASSWORD });
      expect([byEmail.status, byName.status]).toEqual([429, 429]);
      expect(await byEmail.text()).not.toContain('has already been taken');
    }
    // another address is not affected, and the limit refills
    expect((await new Browser(t.app, { ip: '203.0.113.92' }).post('/register', { username: 'member0', email: 'x@example.com', password: PASSWORD })).status).toBe(422);
    t.clock.advance(HOUR);
    expect((await prober.post('/register', { username: 'member0', email: 'y@example.com', password: PASSWORD })).status).toBe(422);
  });

  it('keeps RealWorld shapes on the API: 409 for a taken name while the limit lasts, then a JSON 429', async () => {
    const t = await withRegistered(10, { RATE_LIMIT_SIGNUP: '2/h' });
    const prober = new Browser(t.app, { ip: '203.0.113.93' });
    const register = (i: number) =>
      prober.request('/api/users', json({ user: { username: `probe${i}`, email: `member${i}@example.com`, password: PASSWORD } }));
    const first = await register(0);
    expect(first.status).toBe(409);
    expect(await first.json()).toEqual({ errors: { email: ['has already been taken'] } });
    expect((await register(1)).status).toBe(409);
    for (let i = 2; i < 10; i++) {
      const res = await register(i);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(await res.json()).toEqual({ errors: { rate: [expect.stringMatching(/^Too many requests\. Try again in \d+ minutes\.$/)] } });
    }
  });

  it('answers every field at once while the limit lasts, a too-easy password spending it like a taken name', async () => {
    const t = await withRegistered(1, { RATE_LIMIT_SIGNUP: '2/h' });
    const person = new Browser(t.app, { ip: '203.0.113.94' });
    const first = await person.post('/register', { username: 'member0', email: 'member0@example.com', password: 'password1' });
    expect(first.status).toBe(422);
    const html = await first.text();
    expect(html).toContain('Password is too easy to guess');
    expect(html).toContain('Username has already been taken');
    expect((await person.post('/register', { username: 'newcomer', email: 'newcomer@example.com', password: PASSWORD })).status).toBe(303);
    const third = await new Browser(t.app, { ip: '203.0.113.94' }).post('/register', { username: 'other', email: 'other@example.com', password: 'password1' });
    expect(third.status).toBe(429);
  });

  it('brings the form back with what was typed when the limit is spent', async () => {
    const t = await withRegistered(1, { RATE_LIMIT_SIGNUP: '1/h' });
    const person = new Browser(t.app, { ip: '203.0.113.95' });
    expect((await person.post('/register', { username: 'member0', email: 'new@example.com', password: PASSWORD })).status).toBe(422);
    const res = await person.post('/register', { username: 'another', email: 'new@example.com', password: PASSWORD, redirectTo: '/editor' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3600');
    const page = dom(await res.text());
    expect(page.querySelector('form[action="/register"]')).not.toBeNull();
    expect(page.querySelector('input[name=username]')?.getAttribute('value')).toBe('another');
    expect(page.querySelector('input[name=email]')?.getAttribute('value')).toBe('new@example.com');
    expect(page.querySelector('input[name=password]')?.getAttribute('value') ?? '').toBe('');
    expect(page.querySelector('input[name=redirectTo]')?.getAttribute('value')).toBe('/editor');
    expect(page.querySelector('.error-messages')?.text).toBe('Too many sign-up attempts from your address. Try again in 60 minutes.');
  });
});
