import { describe, expect, it } from 'vitest';
import { Browser, createTestApp, dom, insertUser, PASSWORD, type TestApp } from '../test-support';
import { tryAgainIn } from './limits';
import { FORGET_FAILURES_AFTER_MS, Throttler } from './rate-limit';

const SECOND = 1000;

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** How many of `attempts` one-by-one wrong guesses at one instant the back-off lets through. */
async function sequentialAllowance(attempts: number): Promise<number> {
  const t = await createTestApp();
  await insertUser(t.db, 'alice');
  const browser = new Browser(t.app, { ip: '203.0.113.1' });
  let checked = 0;
  for (let i = 0; i < attempts; i++) {
    if ((await browser.post('/login', { email: 'alice@example.com', password: `guess ${i}` })).status === 422) checked++;
  }
  return checked;
}

describe('the sign-in throttle is reserved before the password is checked', () => {
  it('lets no more concurrent wrong passwords through than one-by-one ones (form)', async () => {
    const allowed = await sequentialAllowance(20);
    // the default back-off (0,1,2... seconds) lets the first two through at once
    expect(allowed).toBe(2);

    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const browser = new Browser(t.app, { ip: '203.0.113.2' });
    // all twenty are in flight together: each awaits the body, the user lookup and the Argon2 check
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => browser.post('/login', { email: 'alice@example.com', password: `guess ${i}` })),
    ).then((responses) => responses.map((res) => res.status));
    expect(statuses.filter((s) => s === 422)).toHaveLength(allowed);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - allowed);
  });

  it('lets no more concurrent wrong passwords through than one-by-one ones (API, spread over addresses)', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        new Browser(t.app, { ip: `198.51.100.${i + 1}` }).request(
          '/api/users/login',
          json({ user: { email: 'alice@example.com', password: `guess ${i}` } }),
        ),
      ),
    ).then((responses) => responses.map((res) => res.status));
    // RealWorld answers a wrong password with 401
    expect(statuses.filter((s) => s === 401)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(18);
  });

  it('counts a right password sent together with wrong ones, and lets the person in once the wait is over', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const browser = new Browser(t.app, { ip: '203.0.113.3' });
    const statuses = await Promise.all([
      browser.post('/login', { email: 'alice@example.com', password: 'wrong one' }),
      browser.post('/login', { email: 'alice@example.com', password: 'wrong two' }),
      browser.post('/login', { email: 'alice@example.com', password: PASSWORD }),
    ]).then((responses) => responses.map((res) => res.status));
    // whichever is reserved third meets two pending attempts counted as failures: refused, not checked
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422 || s === 303)).toHaveLength(2);
    t.clock.advance(SECOND);
    expect((await browser.post('/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(303);
  });
});

describe("a success does not clear anyone else's failures", () => {
  /** Guesses at twelve accounts from one address, one every two seconds; returns how many were checked. */
  async function guessTwelve(t: TestApp, afterEach: (browser: Browser) => Promise<unknown>): Promise<number> {
    const browser = new Browser(t.app, { ip: '203.0.113.66' });
    let checked = 0;
    for (let i = 0; i < 12; i++) {
      const res = await browser.post('/login', { email: `victim${i}@example.com`, password: `guess ${i}` });
      if (res.status === 422) checked++;
      await afterEach(browser);
      t.clock.advance(2 * SECOND);
    }
    return checked;
  }

  async function withUsers(): Promise<TestApp> {
    const t = await createTestApp();
    await insertUser(t.db, 'attacker');
    for (let i = 0; i < 12; i++) await insertUser(t.db, `victim${i}`);
    return t;
  }

  it("signing in to one's own account between guesses buys no extra guesses from the address", async () => {
    const alone = await guessTwelve(await withUsers(), async () => {});
    const t = await withUsers();
    const withOwnSignIns = await guessTwelve(t, (browser) =>
      browser.post('/login', { email: 'attacker@example.com', password: PASSWORD }),
    );
    expect(withOwnSignIns).toBe(alone);
    expect(alone).toBeLessThan(12);
  });

  it("a success on one account keeps another account's failures, from any address", async () => {
    const t = await withUsers();
    const attacker = new Browser(t.app, { ip: '203.0.113.70' });
    for (const password of ['guess one', 'guess two']) {
      await new Browser(t.app, { ip: `192.0.2.${password.length}` }).post('/login', { email: 'victim0@example.com', password });
    }
    expect((await attacker.post('/login', { email: 'attacker@example.com', password: PASSWORD })).status).toBe(303);
    // victim0 is still backing off, whoever asks
    expect((await attacker.post('/login', { email: 'victim0@example.com', password: PASSWORD })).status).toBe(429);
    // and the right password for the account itself clears that account's own count after the wait
    t.clock.advance(SECOND);
    const owner = new Browser(t.app, { ip: '192.0.2.200' });
    expect((await owner.post('/login', { email: 'victim0@example.com', password: PASSWORD })).status).toBe(303);
    expect((await owner.post('/login', { email: 'victim0@example.com', password: 'one typo' })).status).toBe(422);
  });
});

describe('a throttled sign-in form', () => {
  it('comes back with the email typed, no password, and the wait beside the field, as 429 with Retry-After', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'alice');
    const browser = new Browser(t.app, { ip: '203.0.113.80' });
    const guess = (password: string) =>
      browser.post('/login', { email: 'alice@example.com', password, redirectTo: '/editor' });
    expect((await guess('wrong one')).status).toBe(422);
    expect((await guess('wrong two')).status).toBe(422);
    const one = await guess('wrong three');
    expect(one.status).toBe(429);
    expect(one.headers.get('retry-after')).toBe('1');
    const page = dom(await one.text());
    expect(page.querySelector('form[action="/login"]')).not.toBeNull();
    expect(page.querySelector('input[name=email]')?.getAttribute('value')).toBe('alice@example.com');
    expect(page.querySelector('input[name=password]')?.getAttribute('value') ?? '').toBe('');
    expect(page.querySelector('input[name=redirectTo]')?.getAttribute('value')).toBe('/editor');
    expect(page.querySelector('.field-error')?.text).toBe('Too many failed sign-ins. Try again in 1 second.');

    t.clock.advance(SECOND);
    expect((await guess('wrong four')).status).toBe(422);
    const five = await guess('wrong five');
    expect(five.headers.get('retry-after')).toBe('2');
    expect(dom(await five.text()).querySelector('.field-error')?.text).toBe('Too many failed sign-ins. Try again in 2 seconds.');
  });

  it('stays JSON on the API, with the wait spelt right', async () => {
    const t = await createTestApp();
    const browser = new Browser(t.app, { ip: '203.0.113.81' });
    const login = () => browser.request('/api/users/login', json({ user: { email: 'x@example.com', password: 'wrong guess' } }));
    await login();
    await login();
    const refused = await login();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ errors: { rate: ['Too many requests. Try again in 1 second.'] } });
  });
});

describe('Throttler reservations', () => {
  const backoff = [0, 1000, 2000, 4000];

  it('counts a reservation as a failure at once, and a release takes back only its own count', () => {
    const throttler = new Throttler('test', backoff);
    const first = throttler.reserve('k', 0);
    const second = throttler.reserve('k', 0);
    expect(throttler.check('k', 0)).toEqual({ allowed: false, retryAfterMs: 1000 });
    // the later reservation lengthened the wait: releasing the first leaves it
    throttler.release(first);
    expect(throttler.check('k', 999)).toEqual({ allowed: false, retryAfterMs: 1 });
    // releasing the one that set the wait restores the wait before it
    throttler.release(second);
    expect(throttler.check('k', 0)).toEqual({ allowed: true });
  });

  it('keeps settled failures through a success, and leaves other keys alone', () => {
    const throttler = new Throttler('test', backoff);
    throttler.reserve('ip', 0);
    throttler.reserve('other', 0);
    throttler.reserve('other', 0);
    const own = throttler.reserve('ip', 1000);
    throttler.release(own);
    // one failure stands: the next reservation is the second, with its 1 s wait
    throttler.reserve('ip', 1000);
    expect(throttler.check('ip', 1000)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(throttler.check('other', 0)).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it('does not touch a counter reset since the reservation, and forgets failures after an hour of quiet', () => {
    const throttler = new Throttler('test', backoff);
    const stale = throttler.reserve('k', 0);
    throttler.reset('k');
    throttler.reserve('k', 0);
    throttler.reserve('k', 0);
    throttler.release(stale);
    expect(throttler.check('k', 0)).toEqual({ allowed: false, retryAfterMs: 1000 });
    throttler.reserve('k', 1000);
    expect(throttler.check('k', 1000 + FORGET_FAILURES_AFTER_MS - 1).allowed).toBe(true);
    throttler.reserve('k', 1000 + FORGET_FAILURES_AFTER_MS);
    // the fourth failure would have waited 4 s; this is a first again
    expect(throttler.check('k', 1000 + FORGET_FAILURES_AFTER_MS)).toEqual({ allowed: true });
  });
});

describe('tryAgainIn', () => {
  it.each([
    [1, 'Try again in 1 second.'],
    [5, 'Try again in 5 seconds.'],
    [119, 'Try again in 119 seconds.'],
    [120, 'Try again in 2 minutes.'],
    [121, 'Try again in 3 minutes.'],
    [3600, 'Try again in 60 minutes.'],
  ])('%i s: %s', (seconds, text) => {
    expect(tryAgainIn(seconds)).toBe(text);
  });
});
