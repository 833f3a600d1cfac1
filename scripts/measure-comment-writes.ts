/*
 * A comment write's CPU, through the front door: 2000 comments by one reader on another's article
 * (so the notification path runs), CPU time per comment. Not a benchmark (scripts/bench/ is): a
 * quick before/after for one change. `npx tsx scripts/measure-comment-writes.ts`
 */
import { eq } from 'drizzle-orm';
import { users } from '../src/db/schema';
import { createTestApp, insertArticle, signedInBrowser } from '../src/test-support';

const COUNT = 2000;
const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
const author = await signedInBrowser(t, 'author');
const { browser, user } = await signedInBrowser(t, 'reader');
// past the first-day allowance (src/site/spam.ts)
await t.db.update(users).set({ createdAt: new Date(Date.UTC(2020, 0, 1)) }).where(eq(users.id, user.id));
const article = await insertArticle(t.db, author.user.id);
const path = `/article/${article.slug}/comments`;
for (let i = 0; i < 200; i++) await browser.post(path, { body: `warm-up ${i}` });
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < COUNT; i++) {
  const res = await browser.post(path, { body: `Comment number ${i}` });
  if (res.status !== 303) throw new Error(`comment ${i}: ${res.status}`);
  t.clock.advance(10);
}
const cpu = process.cpuUsage(cpuBefore);
const wall = performance.now() - started;
console.log(`${COUNT} comments: ${((cpu.user + cpu.system) / 1000 / COUNT).toFixed(3)} ms CPU each, ${(wall / COUNT).toFixed(3)} ms wall each`);
