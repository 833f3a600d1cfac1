/**
 * `npx tsx scripts/bench/move-and-backup.ts [--small]`
 *
 * How long moving a site and backing it up take on this machine: the bench's large dataset
 * (scripts/bench/seed.ts: 10 000 articles, 50 000 comments, 100 000 favorites...; --small a tenth)
 * seeded into a SQLite file, then `copySite` SQLite -> PostgreSQL and back (src/ops/copy-site.ts),
 * `backupPostgres` and `restorePostgres` into an empty database (src/ops/postgres-backup.ts), and
 * SQLite's own `backupDatabase` for comparison. PostgreSQL is a throwaway cluster started here
 * (durability off, as the tests' is: the figures are the copy's CPU and round trips, not fsync).
 * Not part of `npm run bench`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pgDriver from 'pg';
import { backupDatabase } from '../../src/ops/backup';
import { copyMatches, copySite, formatCopyReport, type CopyReport } from '../../src/ops/copy-site';
import { backupPostgres, restorePostgres } from '../../src/ops/postgres-backup';
import { startPostgresCluster } from '../../src/test-support/postgres-cluster';
import { LARGE, seedDataset, SMALL } from './seed';

const say = (text: string) => process.stdout.write(`${text}\n`);

function summary(label: string, report: CopyReport): string {
  const seconds = report.copyMs / 1000;
  return `${label}: ${report.rows} rows in ${seconds.toFixed(1)} s (${Math.round(report.rows / seconds)} rows/s), read back and compared in ${(report.verifyMs / 1000).toFixed(1)} s, ${copyMatches(report) ? 'every table matches' : 'DIFFERS'}`;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function main() {
  const spec = process.argv.includes('--small') ? SMALL : LARGE;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-move-bench-'));
  const cluster = await startPostgresCluster();
  const admin = new pgDriver.Pool({ connectionString: cluster.url, max: 1 });
  const database = async (name: string) => {
    await admin.query(`create database ${name}`);
    const url = new URL(cluster.url);
    url.pathname = `/${name}`;
    return url.toString();
  };
  try {
    const seeded = await seedDataset(path.join(tmp, 'site.db'), spec, 'not-a-real-hash');
    say(`seeded the ${spec.name} dataset (${seeded.counts.articles} articles) in ${(seeded.seedMs / 1000).toFixed(1)} s, ${(fs.statSync(seeded.file).size / 1024 / 1024).toFixed(1)} MiB`);

    const pgUrl = await database('moved');
    let lap = performance.now();
    const progress = (table: string, rows: number) => {
      const now = performance.now();
      say(`  ${table}: ${rows} rows in ${((now - lap) / 1000).toFixed(1)} s`);
      lap = now;
    };
    const there = await copySite({ engine: 'sqlite', path: seeded.file }, { engine: 'postgres', url: pgUrl }, { progress });
    say(formatCopyReport(there));
    say(summary('SQLite -> PostgreSQL', there));
    lap = performance.now();
    const back = await copySite({ engine: 'postgres', url: pgUrl }, { engine: 'sqlite', path: path.join(tmp, 'back.db') }, { progress });
    say(summary('PostgreSQL -> SQLite', back));

    const dump = path.join(tmp, 'site.dump');
    const backup = await timed(() => backupPostgres(pgUrl, dump));
    say(`pg_dump backup (checked with pg_restore --list): ${(backup.value / 1024 / 1024).toFixed(1)} MiB in ${backup.seconds.toFixed(1)} s`);
    const restored = await database('restored');
    const restore = await timed(() => restorePostgres(restored, dump));
    say(`pg_restore into an empty database (checked first, migrated after): ${restore.seconds.toFixed(1)} s`);
    const sqliteBackup = await timed(() => backupDatabase(seeded.file, path.join(tmp, 'backup.db')));
    say(`SQLite backup for comparison: ${(sqliteBackup.value / 1024 / 1024).toFixed(1)} MiB in ${sqliteBackup.seconds.toFixed(1)} s`);
  } finally {
    await admin.end();
    await cluster.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
