/**
 * `npm run bench [-- --quick] [--duration=S] [--connections=N] [--no-binary]`
 *
 * Seeds a large (10 000 articles) and a small (1 000) dataset, starts Quire exactly as `npm start`
 * does (pinned to CPU 0, load generated from CPU 1), measures every target against two baselines
 * in the same run, prints a table and the targets met or not, and writes bench-results/*.json.
 * Exits non-zero only when the harness itself fails; a missed target is a result.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../src/auth/password';
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
  startQuire,
  type Options,
} from './phases';
import { evaluateTargets, formatTable, writeJson, type Results, type ServerRun } from './report';
import { LARGE, SMALL, seedDataset, type SeededDataset } from './seed';
import { canPin, CLOCK_TICKS, HarnessError, killAllServers, pinSelf, ROOT, type ServerProcess } from './servers';
import { API_HEADERS, checkCommentPost, PAGE_HEADERS, readTargets, type RawResponse } from './targets';

const USAGE = 'options: --quick, --duration=SECONDS, --connections=N, --no-binary';
const BENCH_PASSWORD = 'bench-password-not-secret';
const BINARY_CHECK_TIMEOUT_MS = 60_000;

function parseOptions(argv: string[]): Options {
  const unknown = argv.filter((arg) => !/^--(quick|no-binary|duration=.+|connections=.+)$/.test(arg));
  if (unknown.length) throw new HarnessError(`unknown option ${unknown.join(' ')}; ${USAGE}`);
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
    durationSec,
    smallDurationSec: quick ? Math.min(2, durationSec) : durationSec,
    connections: Math.round(numberOption('connections', quick ? 20 : 50)),
    writeConnections: 10,
    // the smoke run has no time for warm-ups: its first target pays for the JIT
    warmupSec: quick ? 0 : 2,
    // the smoke run stays within its time budget: the binary is for full runs
    binary: !quick && !argv.includes('--no-binary') && fs.existsSync(BINARY),
  };
}

function binaryStatus(options: Options): string {
  if (options.binary) return BINARY;
  if (!fs.existsSync(BINARY)) return 'skipped: dist/quire is not built (npm run build)';
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
  file: string,
  check: (server: ServerProcess) => Promise<Map<string, RawResponse>>,
  body: (server: ServerProcess, idleRssMb: number, responses: Map<string, RawResponse>) => Promise<T>,
): Promise<T> {
  say(`starting Quire ${label} on the ${dataset.spec.name} dataset`);
  const { server, idleRssMb } = await startQuire(label, dataset, file);
  say(`${server.label} ready, ${idleRssMb.toFixed(0)} MB idle`);
  let responses: Map<string, RawResponse>;
  try {
    responses = await check(server);
  } catch (error) {
    await server.stop();
    if (!(error instanceof HarnessError)) throw error;
    throw new HarnessError(error.message + (await explainFailedChecks(label, dataset, file, check)));
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

async function run(options: Options, tmp: string): Promise<Results> {
  const started = new Date();
  const loadBefore = os.loadavg();
  const pinned = pinSelf();
  say(`${options.quick ? 'quick' : 'full'} run, temporary files in ${tmp}; pinned: ${pinned}`);
  const passwordHash = await hashPassword(BENCH_PASSWORD); // once, for every user
  const large = await seedDataset(path.join(tmp, 'large.db'), LARGE, passwordHash);
  say(`seeded large dataset in ${(large.seedMs / 1000).toFixed(1)} s: ${JSON.stringify(large.counts)}; ${large.notes.join('; ')}`);
  const small = await seedDataset(path.join(tmp, 'small.db'), SMALL, passwordHash);
  say(`seeded small dataset in ${(small.seedMs / 1000).toFixed(1)} s`);
  // the binary gets the dataset as seeded, before the write mix adds comments
  const binaryFile = path.join(tmp, 'large-binary.db');
  let binary = binaryStatus(options);
  if (options.binary) {
    fs.copyFileSync(large.file, binaryFile);
    const skipped = checkBinary(binaryFile);
    if (skipped) say((binary = skipped));
  }

  const checkWithWrites = async (server: ServerProcess) => {
    const responses = await checkReads(server, large);
    await checkCommentPost(server.url, large);
    return responses;
  };
  const source = await withQuire('source', large, large.file, checkWithWrites, async (server, idleRssMb, responses) => {
    const raw = await measureRawBaseline(responses.get('home')!, tmp, options);
    // the size of the signed-in home page as rendered, before any compression
    const jsx = await measureJsxBaseline(Buffer.byteLength(responses.get('signed-in home')!.text), options);
    const perCpu = { raw: raw.reqPerCpuSec, jsx: jsx.reqPerCpuSec };
    const reads = await measureReads(server, readTargets(large), options, options.durationSec, perCpu);
    const writes = await measureWrites(server, large, options);
    const whileWriting = await measureReadsWhileWriting(server, large, options);
    const run: ServerRun = { label: 'source', dataset: 'large', idleRssMb, reads };
    return { baselines: { raw, jsx }, perCpu, run, writes, whileWriting };
  });

  /** the read set on one server: its own run of the table */
  const readRun = (label: 'source' | 'binary', dataset: SeededDataset, file: string, durationSec: number) =>
    withQuire(label, dataset, file, (server) => checkReads(server, dataset), async (server, idleRssMb): Promise<ServerRun> => {
      const reads = await measureReads(server, readTargets(dataset), options, durationSec, source.perCpu);
      return { label, dataset: dataset.spec.name, idleRssMb, reads };
    });
  const smallRun = await readRun('source', small, small.file, options.smallDurationSec);
  const runs: ServerRun[] = [source.run, smallRun];
  if (binary === BINARY) runs.push(await readRun('binary', large, binaryFile, options.durationSec));

  // targets are listed in the same order for both sizes (the tag's name may differ)
  const scaling = source.run.reads.map((read, i) => {
    const [large, small] = [read.m.reqPerCpuSec, smallRun.reads[i]!.m.reqPerCpuSec];
    return { name: read.name, large, small, ratio: large / small };
  });
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
    baselines: source.baselines,
    runs,
    writes: source.writes,
    whileWriting: source.whileWriting,
    scaling,
  };
  return { ...partial, checks: evaluateTargets(partial) };
}

async function main(): Promise<number> {
  const startedMs = Date.now();
  let tmp: string | null = null;
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
    const results = await run(options, tmp);
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
  }
}

void main().then((code) => process.exit(code));
