import { createApp } from './app';
import { createSession } from './auth/session';
import { openDatabase } from './db/client';
import { loadEnv } from './env';
import { silentLog } from './lib/logger';
import fs from 'node:fs';
const file = '/tmp/prof/q.db'; fs.rmSync('/tmp/prof', { recursive: true, force: true });
const db = openDatabase(file);
const s = db.$client;
const now = Date.now();
s.transaction(() => {
  const u = s.prepare('insert into users (username,email,password_hash,created_at,updated_at) values (?,?,?,?,?)');
  for (let i = 0; i < 200; i++) u.run(`user${i}`, `u${i}@x.io`, 'x', now, now);
  const t = s.prepare('insert into tags (name) values (?)'); for (let i = 0; i < 60; i++) t.run(`tag${i}`);
  const a = s.prepare('insert into articles (slug,title,description,body,author_id,created_at,updated_at) values (?,?,?,?,?,?,?)');
  const at = s.prepare('insert into article_tags (article_id,tag_id,position) values (?,?,?)');
  for (let i = 1; i <= 10000; i++) { a.run(`a-${i}`, `Article ${i}`, 'desc', 'body '.repeat(300), 1 + (i % 200), now + i, now + i); for (let k = 0; k < 1 + (i % 4); k++) at.run(i, 1 + ((i * 7 + k * 13) % 60), k); }
  const f = s.prepare('insert or ignore into favorites (user_id,article_id,created_at) values (?,?,?)');
  for (let i = 0; i < 100000; i++) f.run(1 + (i % 200), 1 + ((i * 7919) % 10000), now);
  const fo = s.prepare('insert or ignore into follows (follower_id,followed_id,created_at) values (?,?,?)');
  for (let i = 1; i <= 200; i++) for (let k = 1; k <= 20; k++) fo.run(i, 1 + ((i + k * 3) % 200), now);
  const c = s.prepare('insert into comments (body,article_id,author_id,created_at,updated_at) values (?,?,?,?,?)');
  for (let i = 0; i < 50000; i++) c.run('nice', 1 + (i % 10000), 1 + (i % 200), now + i, now + i);
})();
const env = loadEnv({ RATE_LIMITS: 'off', PUBLIC_URL: 'http://localhost' });
const app = createApp({ db, env, log: silentLog });
const { token } = createSession(db, 1, { now: Date.now() });
async function time(label: string, path: string, headers: Record<string, string> = {}, n = 300) {
  for (let i = 0; i < 30; i++) await app.request(path, { headers });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) { const r = await app.request(path, { headers }); await r.arrayBuffer(); }
  console.log(label.padEnd(28), ((performance.now() - t0) / n).toFixed(3), 'ms/req');
}
const signedIn = { cookie: `session=${token}` };
await time('anon home (cached)', '/');
await time('anon home page 50 (cached)', '/?page=50');
await time('signed-in home', '/', signedIn);
await time('signed-in feed', '/?feed=following', signedIn);
await time('signed-in tag', '/tag/tag3', signedIn);
await time('signed-in article', '/article/a-77', signedIn);
await time('api articles (token)', '/api/articles', { authorization: `Token ${token}` });
await time('api article (token)', '/api/articles/a-77', { authorization: `Token ${token}` });
if (process.env.PROFILE) {
  const { Session } = await import('node:inspector/promises');
  const session = new Session(); session.connect();
  await session.post('Profiler.enable'); await session.post('Profiler.start');
  for (let i = 0; i < 600; i++) { const r = await app.request(process.env.PROFILE === 'anon' ? '/' : (process.env.PROFILE_PATH ?? '/'), { headers: process.env.PROFILE === 'anon' ? {} : signedIn }); await r.arrayBuffer(); }
  const { profile } = await session.post('Profiler.stop');
  const self = new Map<string, number>();
  const total = profile.samples!.length;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const id of profile.samples!) { const n = byId.get(id)!; const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + 1); }
  console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${(100 * v / total).toFixed(1)}% ${k}`).join('\n'));
}
