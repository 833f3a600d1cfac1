/**
 * `npm run bench [-- --quick] [--duration=S] [--connections=N] [--no-binary] [--engine=E]`
 *
 * Seeds a large (10 000 articles) and a small (1 000) dataset, starts Quire exactly as `npm start`
 * does (pinned to CPU 0, load generated from CPU 1), measures every target against two baselines
 * in the same run, prints a table and the targets met or not, and writes bench-results/*.json.
 * Exits non-zero only when the harness itself fails; a missed target is a result.
 *
 * `--engine postgres` serves the same datasets from PostgreSQL (./seed-postgres.ts: a throwaway
 * cluster sharing the server's CPU, or BENCH_POSTGRES_URL's server), counts the database server's
 * CPU beside Quire's, and adds one node against two (./nodes.ts); `--engine both` measures SQLite
 * and then PostgreSQL in one run and compares them target by target.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../src/auth/password';
import type { Engine } from '../../src/db/engine';
import { measureNodes } from './nodes';
import {
  BINARY,
  checkReads,
  explainFailedChecks,
  measureJsxBaseline,
  measureRawBaseline,
  measureReads,
  measureReadsWhileWriting,
  measureWrites,
  say,
  sqliteDatabase,
  startQuire,
  type BenchDatabase,
  type Options,
} from './phases';
import { evaluateTargets, formatTable, writeJson, type Baselines, type EngineResults, type Results, type ServerRun } from './report';
import { copyToPostgres, startBenchPostgres, type BenchPostgres } from './seed-postgres';
import { LARGE, SMALL, seedDataset, type SeededDataset } from './seed';
import { canPin, CLOCK_TICKS, HarnessError, killAllServers, pinSelf, ROOT, type ServerProcess } from './servers';
import { API_HEADERS, checkCommentPost, PAGE_HEADERS, readTargets, type RawResponse } from './targets';

const USAGE = 'options: --quick, --duration=SECONDS, --connections=N, --no-binary, --engine=sqlite|postgres|both';
const ENGINE_CHOICES = ['sqlite', 'postgres', 'both'] as const;
type EngineChoice = (typeof ENGINE_CHOICES)[number];
const BENCH_PASSWORD = 'bench-password-not-secret';
const BINARY_CHECK_TIMEOUT_MS = 60_000;

function parseOptions(argv: string[]): Options & { engines: Engine[] } {
  // `--engine postgres` as well as `--engine=postgres`
  argv = argv.flatMap((arg, i) => (arg === '--engine' ? [] : argv[i - 1] === '--engine' ? [`--engine=${arg}`] : [arg]));
  const unknown = argv.filter((arg) => !/^--(quick|no-binary|duration=.+|connections=.+|engine=.+)$/.test(arg));
  if (unknown.length) throw new HarnessError(`unknown option ${unknown.join(' ')}; ${USAGE}`);
  const engine = (argv.find((arg) => arg.startsWith('--engine='))?.slice('--engine='.length) ?? 'sqlite') as EngineChoice;
  if (!ENGINE_CHOICES.includes(engine)) throw new HarnessError(`--engine must be sqlite, postgres or both; ${USAGE}`);
  const quick = argv.includes('--quick');
  const numberOption = (name: string, fallback: number) => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    if (!arg) return fallback;
    const value = Number(arg.slice(name.length + 3));
    if (!Number.isFinite(value) || value <= 0) throw new HarnessError(`--${name} must be a positive number`);
    return value;
  };
  const durationSec = numberOption('duration', quick ? 3 : 10);
  return {
    quick,
    engines: engine === 'both' ? ['sqlite', 'postgres'] : [engine],
    durationSec,
    smallDurationSec: quick ? Math.min(2, durationSec) : durationSec,
    connections: Math.round(numberOption('connections', quick ? 20 : 50)),
    writeConnections: 10,
    // the smoke run has no time for warm-ups: its first target pays for the JIT
    warmupSec: quick ? 0 : 2,
    // the smoke run stays within its time budget: the binary is for full runs, on SQLite
    binary: !quick && engine !== 'postgres' && !argv.includes('--no-binary') && fs.existsSync(BINARY),
  };
}

function binaryStatus(options: Options & { engines: Engine[] }): string {
  if (options.binary) return BINARY;
  if (!fs.existsSync(BINARY)) return 'skipped: dist/quire is not built (npm run build)';
  if (!options.engines.includes('sqlite')) return 'skipped: measured on SQLite only';
  return options.quick ? 'skipped in --quick' : 'skipped: --no-binary';
}

/**
 * A binary built before the latest migrations refuses a database the source migrated: that is a
 * stale build, not a failed run, so the binary is skipped with the reason. Any other failure to
 * run is the harness's.
 */
function checkBinary(file: string): string | null {
  const result = spawnSync(BINARY, ['migrate'], {
    env: { ...process.env, DATABASE_PATH: file },
    encoding: 'utf8',
    timeout: BINARY_CHECK_TIMEOUT_MS,
  });
  if (result.status === 0) return null;
  const message = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim();
  if (/newer version/i.test(message)) return `skipped: dist/quire is older than the source (npm run build): ${message}`;
  throw new HarnessError(`dist/quire migrate failed (${result.status ?? result.signal}): ${message}`);
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * Starts Quire, checks that every request type can be made, runs `body`, and stops it whatever
 * happens. A failed check is explained from the server's log.
 */
async function withQuire<T>(
  label: 'source' | 'binary',
  dataset: SeededDataset,
  database: BenchDatabase,
  check: (server: ServerProcess) => Promise<Map<string, RawResponse>>,
  body: (server: ServerProcess, idleRssMb: number, responses: Map<string, RawResponse>) => Promise<T>,
): Promise<T> {
  say(`starting Quire ${label} on the ${dataset.spec.name} dataset (${database.engine})`);
  const { server, idleRssMb } = await startQuire(label, dataset, database);
  say(`${server.label} ready, ${idleRssMb.toFixed(0)} MB idle`);
  let responses: Map<string, RawResponse>;
  try {
    responses = await check(server);
  } catch (error) {
    await server.stop();
    if (!(error instanceof HarnessError)) throw error;
    throw new HarnessError(error.message + (await explainFailedChecks(label, dataset, database, check)));
  }
  try {
    return await body(server, idleRssMb, responses);
  } finally {
    await server.stop();
    say(`${server.label} stopped`);
  }
}

function describeDataset(d: SeededDataset) {
  return {
    counts: d.counts,
    seedMs: Math.round(d.seedMs),
    popularTag: d.popularTag,
    profileUsername: d.profileUsername,
    knownArticleSlug: d.knownArticleSlug,
    reader: { username: d.reader.username, follows: d.reader.follows },
    writers: d.writerTokens.length,
    notes: d.notes,
  };
}

type RunOptions = Options & { engines: Engine[] };

/** Everything measured on one engine: the large dataset's reads and writes, the small one's reads. */
async function measureEngine(
  options: RunOptions,
  datasets: { large: SeededDataset; small: SeededDataset },
  databases: { large: BenchDatabase; small: BenchDatabase; describe: string },
  context: { tmp: string; baselines: Baselines | null; binaryFile: string | null; postgres: BenchPostgres | null },
): Promise<{ results: EngineResults; baselines: Baselines }> {
  const { large, small } = datasets;
  const engine = databases.large.engine;
  // the smoke run's budget on PostgreSQL: the large dataset's reads and writes and one node
  // against two for one page; SQLite's smoke run covers the rest of the harness. (Reads while
  // writing would take longest: PostgreSQL cannot take 1 000 comments a second on one core, so
  // the paced writes queue up and drain long after each target's window.)
  const smoke = options.quick && engine === 'postgres';
  const checkWithWrites = async (server: ServerProcess) => {
    const responses = await checkReads(server, large);
    await checkCommentPost(server.url, large);
    return responses;
  };
  const source = await withQuire('source', large, databases.large, checkWithWrites, async (server, idleRssMb, responses) => {
    // the baselines once a run, on the first engine's pages
    const measured = context.baselines ?? (await measureBaselines(responses, options, context.tmp));
    const perCpu = { raw: measured.raw.reqPerCpuSec, jsx: measured.jsx.reqPerCpuSec };
    const reads = await measureReads(server, readTargets(large), options, options.durationSec, perCpu);
    const writes = await measureWrites(server, large, options);
    const whileWriting = smoke ? [] : await measureReadsWhileWriting(server, large, options);
    const run: ServerRun = { label: 'source', engine, dataset: 'large', idleRssMb, reads };
    return { baselines: measured, perCpu, run, writes, whileWriting };
  });

  /** the read set on one server: its own run of the table */
  const readRun = (label: 'source' | 'binary', dataset: SeededDataset, database: BenchDatabase, durationSec: number) =>
    withQuire(label, dataset, database, (server) => checkReads(server, dataset), async (server, idleRssMb): Promise<ServerRun> => {
      const reads = await measureReads(server, readTargets(dataset), options, durationSec, source.perCpu);
      return { label, engine, dataset: dataset.spec.name, idleRssMb, reads };
    });
  const smallRun = smoke ? null : await readRun('source', small, databases.small, options.smallDurationSec);
  const runs: ServerRun[] = smallRun ? [source.run, smallRun] : [source.run];
  if (engine === 'sqlite' && context.binaryFile) runs.push(await readRun('binary', large, sqliteDatabase(context.binaryFile), options.durationSec));
  const nodes =
    databases.large.engine === 'postgres'
      ? await measureNodes(large, databases.large, options, (cpus) => context.postgres?.pin(cpus), smoke ? ['home'] : undefined)
      : [];

  // targets are listed in the same order for both sizes (the tag's name may differ)
  const scaling = (smallRun ? source.run.reads : []).map((read, i) => {
    const [onLarge, onSmall] = [read.m.reqPerCpuSec, smallRun!.reads[i]!.m.reqPerCpuSec];
    return { name: read.name, large: onLarge, small: onSmall, ratio: onLarge / onSmall };
  });
  return {
    baselines: source.baselines,
    results: { engine, database: databases.describe, runs, writes: source.writes, whileWriting: source.whileWriting, scaling, nodes },
  };
}

async function measureBaselines(responses: Map<string, RawResponse>, options: Options, tmp: string): Promise<Baselines> {
  const raw = await measureRawBaseline(responses.get('home')!, tmp, options);
  // the size of the signed-in home page as rendered, before any compression
  const jsx = await measureJsxBaseline(Buffer.byteLength(responses.get('signed-in home')!.text), options);
  return { raw, jsx };
}

async function run(options: RunOptions, tmp: string, postgresServer: { current: BenchPostgres | null }): Promise<Results> {
  const started = new Date();
  const loadBefore = os.loadavg();
  const pinned = pinSelf();
  say(`${options.quick ? 'quick' : 'full'} run on ${options.engines.join(' and ')}, temporary files in ${tmp}; pinned: ${pinned}`);
  const passwordHash = await hashPassword(BENCH_PASSWORD); // once, for every user
  const large = await seedDataset(path.join(tmp, 'large.db'), LARGE, passwordHash);
  say(`seeded large dataset in ${(large.seedMs / 1000).toFixed(1)} s: ${JSON.stringify(large.counts)}; ${large.notes.join('; ')}`);
  const small = await seedDataset(path.join(tmp, 'small.db'), SMALL, passwordHash);
  say(`seeded small dataset in ${(small.seedMs / 1000).toFixed(1)} s`);
  // the binary and PostgreSQL get the datasets as seeded, before a write mix adds comments
  let binary = binaryStatus(options);
  let binaryFile: string | null = null;
  if (options.binary) {
    binaryFile = path.join(tmp, 'large-binary.db');
    fs.copyFileSync(large.file, binaryFile);
    const skipped = checkBinary(binaryFile);
    if (skipped) {
      say((binary = skipped));
      binaryFile = null;
    }
  }
  const databases: Partial<Record<Engine, { large: BenchDatabase; small: BenchDatabase; describe: string }>> = {
    sqlite: { large: sqliteDatabase(large.file), small: sqliteDatabase(small.file), describe: 'SQLite files' },
  };
  let postgres: BenchPostgres | null = null;
  if (options.engines.includes('postgres')) {
    postgres = postgresServer.current = await startBenchPostgres();
    say(`PostgreSQL: ${postgres.describe}`);
    const onPostgres = async (dataset: SeededDataset): Promise<BenchDatabase> => {
      const copying = performance.now();
      const url = await postgres!.createDatabase(`bench_${dataset.spec.name}`);
      const copied = await copyToPostgres(dataset.file, url);
      say(`copied the ${dataset.spec.name} dataset to PostgreSQL in ${((performance.now() - copying) / 1000).toFixed(1)} s: ${JSON.stringify(copied)}`);
      return { engine: 'postgres', url, cpuMs: postgres!.cpuMs };
    };
    databases.postgres = { large: await onPostgres(large), small: await onPostgres(small), describe: postgres.describe };
  }

  const engines: EngineResults[] = [];
  let baselines: Baselines | null = null;
  for (const engine of options.engines) {
    const measured = await measureEngine(options, { large, small }, databases[engine]!, { tmp, baselines, binaryFile, postgres });
    baselines = measured.baselines;
    engines.push(measured.results);
  }
  const finished = new Date();
  const cpus = os.cpus();
  const partial: Omit<Results, 'checks'> = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    totalSeconds: (finished.getTime() - started.getTime()) / 1000,
    machine: {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpuModel: cpus[0]?.model ?? 'unknown',
      cpus: cpus.length,
      pinned,
      clockTicks: CLOCK_TICKS,
      loadAverage: { before: loadBefore, after: os.loadavg() },
    },
    node: process.version,
    commit: git(['rev-parse', 'HEAD']),
    worktreeDirty: (git(['status', '--porcelain']) ?? '') !== '',
    options: {
      ...options,
      canPin,
      binary,
      requestHeaders: { page: PAGE_HEADERS, api: API_HEADERS },
    },
    datasets: { large: describeDataset(large), small: describeDataset(small) },
    baselines: baselines!,
    engines,
  };
  return { ...partial, checks: evaluateTargets(partial) };
}

async function main(): Promise<number> {
  const startedMs = Date.now();
  let tmp: string | null = null;
  const postgres: { current: BenchPostgres | null } = { current: null };
  // a throwaway cluster also stops itself when the process exits (src/test-support/postgres-cluster.ts)
  const cleanUp = () => {
    killAllServers();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = null;
  };
  process.once('exit', cleanUp);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the servers and removing the temporary databases`);
      cleanUp();
      process.exit(code);
    });
  }
  try {
    const options = parseOptions(process.argv.slice(2));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-bench-'));
    const results = await run(options, tmp, postgres);
    process.stdout.write(`${formatTable(results)}\n`);
    const file = writeJson(results, ROOT);
    say(`results written to ${path.relative(ROOT, file)}; took ${((Date.now() - startedMs) / 1000).toFixed(0)} s`);
    return 0;
  } catch (error) {
    const message = error instanceof HarnessError ? error.message : ((error as Error).stack ?? String(error));
    say(`harness failed: ${message}`);
    return 1;
  } finally {
    cleanUp();
    await postgres.current?.stop();
  }
}

void main().then((code) => process.exit(code));
