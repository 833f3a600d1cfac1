import { openDatabase } from './db/client';
import { articleListQueries } from './articles/queries';
const db = openDatabase('/tmp/prof/q.db');
for (const keys of [[], ['tag'], ['feedOf'], ['author'], ['favoritedBy']] as const) {
  const q = articleListQueries(db, [...keys]) as any;
  const sqlText: string = q.page.rawQuery?.sql ?? q.page.query?.sql ?? JSON.stringify(Object.keys(q.page));
  console.log('==', keys.join(',') || 'global');
  const params: Record<string, unknown> = { viewer: 1, tag: 'tag3', feedOf: 1, author: 'user5', favoritedBy: 'user5', limit: 10, offset: 0 };
  const names = (q.page.query?.params ?? []) as any[];
  const bound = names.map((p: any) => (p && p.name ? params[p.name] : p));
  const plan = db.$client.prepare('explain query plan ' + sqlText).all(...bound);
  console.log(plan.map((r: any) => r.detail).join('\n'));
  const t0 = performance.now(); for (let i = 0; i < 50; i++) db.$client.prepare(sqlText).all(...bound); console.log('ms', ((performance.now() - t0) / 50).toFixed(3));
}
