/**
 * The steps of a run: starting Quire (source or binary) and the baselines, and measuring a set of
 * targets on one of them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'autocannon';
import { measure, type LoadSpec, type Measurement } from './measure';
import { WRITES_PER_SEC, type ReadRow, type WhileWritingRow } from './report';
import type { SeededDataset } from './seed';
import { freePort, memoryMb, ROOT, startServer, type ServerProcess } from './servers';
import {
  checkTarget,
  commentRequest,
  PAGE_HEADERS,
  readTargets,
  type BaselineName,
  type RawResponse,
  type ReadTarget,
} from './targets';

export type Options = {
  quick: boolean;
  durationSec: number;
  smallDurationSec: number;
  connections: number;
  writeConnections: number;
  warmupSec: number;
  binary: boolean;
};

export const BINARY = path.join(ROOT, 'dist', 'quire');
const BENCH_DIR = path.join(ROOT, 'scripts', 'bench');

const startedAt = performance.now();
/** Progress goes to stderr, so stdout holds only the results. */
export const say = (message: string) =>
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);

/** The baselines are TypeScript: `node --import tsx` runs them without a wrapper process. */
const TSX_COMMAND: [string, string[]] = (() => {
  const direct = spawnSync(process.execPath, ['--import', 'tsx', '-e', ''], { cwd: ROOT, stdio: 'ignore' });
  return direct.status === 0 ? [process.execPath, ['--import', 'tsx']] : ['npx', ['tsx']];
})();

/**
 * Quire from source runs exactly as `npm start` does (its V8 flags, the esbuild bundle of
 * scripts/start.mjs), so the figures are those of what is deployed, not of the tsx loader.
 */
const START_COMMAND: [string, string[]] = (() => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = pkg.scripts.start.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start does not run node: ${pkg.scripts.start}`);
  return [process.execPath, args];
})();

/**
 * The database a server is started on: a SQLite file, or a PostgreSQL database (whose server's
 * CPU time the measurements read, when it is ours).
 */
export type BenchDatabase =
  | { engine: 'sqlite'; file: string }
  | { engine: 'postgres'; url: string; cpuMs: (() => number) | null };

export const sqliteDatabase = (file: string): BenchDatabase => ({ engine: 'sqlite', file });

export async function startQuire(
  label: 'source' | 'binary',
  dataset: SeededDataset,
  database: BenchDatabase = sqliteDatabase(dataset.file),
  options: { keepStdout?: boolean; cpus?: string; name?: string } = {},
): Promise<{ server: ServerProcess; idleRssMb: number }> {
  const port = await freePort();
  const [command, args] =
    label === 'binary' ? [BINARY, ['serve']] : START_COMMAND;
  const server = await startServer({
    label: `Quire ${label} (${dataset.spec.name}${database.engine === 'postgres' ? ', PostgreSQL' : ''}${options.name ? `, ${options.name}` : ''})`,
    command,
    args,
    port,
    readyPath: '/healthz',
    keepStdout: options.keepStdout,
    cpus: options.cpus,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      // DATABASE_URL empty: SQLite, whatever the harness's environment says
      ...(database.engine === 'sqlite' ? { DATABASE_PATH: database.file, DATABASE_URL: '' } : { DATABASE_URL: database.url }),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      RATE_LIMITS: 'off',
      LOG_FORMAT: 'json',
    },
  });
  if (database.engine === 'postgres' && database.cpuMs) server.databaseCpuMs = database.cpuMs;
  return { server, idleRssMb: memoryMb(server.pid, 'VmRSS') };
}

/** Every read target must answer as expected before it is loaded; returns the responses. */
export async function checkReads(server: ServerProcess, dataset: SeededDataset): Promise<Map<string, RawResponse>> {
  const responses = new Map<string, RawResponse>();
  for (const target of readTargets(dataset)) responses.set(target.name, await checkTarget(server.url, target));
  return responses;
}

/**
 * Why a check failed is in the server's log, which measured servers send to /dev/null: the same
 * check again on a server that keeps its output, whose error lines end the message.
 */
export async function explainFailedChecks(
  label: 'source' | 'binary',
  dataset: SeededDataset,
  database: BenchDatabase,
  check: (server: ServerProcess) => Promise<unknown>,
): Promise<string> {
  const { server } = await startQuire(label, dataset, database, { keepStdout: true });
  try {
    await check(server).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const errors = server.output().split('\n').filter((line) => /"level":"error"|Error/.test(line));
    return errors.length ? `\nserver log:\n${errors.slice(-3).map((line) => line.slice(0, 1500)).join('\n')}` : '';
  } finally {
    await server.stop();
  }
}

/**
 * At most this many paced writes in flight: at 1 000 a second that is 100 ms of latency before
 * the generator itself would hold writes back, far above anything measured.
 */
const PACED_WRITES_IN_FLIGHT = 100;

const load = (server: ServerProcess, connections: number, durationSec: number, request: Request): LoadSpec => ({
  url: server.url,
  connections,
  durationSec,
  request,
});

const get = (target: ReadTarget): Request => ({ method: 'GET', path: target.path, headers: target.headers });

export async function measureReads(
  server: ServerProcess,
  targets: ReadTarget[],
  options: Options,
  durationSec: number,
  baselines: Record<BaselineName, number>,
): Promise<ReadRow[]> {
  const rows: ReadRow[] = [];
  for (const target of targets) {
    say(`${server.label}: ${target.name} (${durationSec} s)`);
    const { main } = await measure(server, load(server, options.connections, durationSec, get(target)), {
      warmupSec: options.warmupSec,
    });
    const { name, group, baseline, path: targetPath } = target;
    rows.push({ name, group, baseline, path: targetPath, m: main, ratio: main.reqPerCpuSec / baselines[baseline] });
  }
  return rows;
}

export async function measureWrites(server: ServerProcess, dataset: SeededDataset, options: Options): Promise<Measurement> {
  say(`${server.label}: comment writes (${options.durationSec} s)`);
  const writes = load(server, options.writeConnections, options.durationSec, commentRequest(dataset, 2));
  return (await measure(server, writes, { warmupSec: options.warmupSec })).main;
}

export async function measureReadsWhileWriting(server: ServerProcess, dataset: SeededDataset, options: Options): Promise<WhileWritingRow[]> {
  const rows: WhileWritingRow[] = [];
  for (const [i, target] of readTargets(dataset).entries()) {
    say(`${server.label}: ${target.name} while writing (${options.durationSec} s)`);
    const reads = load(server, options.connections, options.durationSec, get(target));
    // the write mix offered at the target rate, evenly, whatever the server does (an open-loop
    // generator, runPacedLoad): are reads within their targets while it is sustained?
    const writes = {
      ...load(server, PACED_WRITES_IN_FLIGHT, options.durationSec, commentRequest(dataset, 100 + i)),
      overallRate: WRITES_PER_SEC,
    };
    // no warm-up: the reads and the writes are warm by now
    const { main, alongside } = await measure(server, reads, { warmupSec: 0, alongside: writes });
    rows.push({ name: target.name, m: main, writes: alongside! });
  }
  return rows;
}

/** Headers the raw baseline must not copy: Node writes its own. */
const HOP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** Baseline (a): the anonymous home page's exact bytes and headers from node:http. */
export async function measureRawBaseline(
  home: RawResponse,
  tmp: string,
  options: Options,
): Promise<Measurement & { pageBytes: number }> {
  const bodyFile = path.join(tmp, 'home.body');
  const headersFile = path.join(tmp, 'home.headers.json');
  fs.writeFileSync(bodyFile, home.body);
  const headers = home.headers.filter(([name]) => !HOP_HEADERS.has(name.toLowerCase()));
  fs.writeFileSync(headersFile, JSON.stringify(headers));
  const port = await freePort();
  const server = await startServer({
    label: 'raw node:http baseline',
    command: TSX_COMMAND[0],
    args: [...TSX_COMMAND[1], path.join(BENCH_DIR, 'raw-baseline.ts')],
    port,
    readyPath: '/',
    env: { PORT: String(port), BASELINE_BODY_FILE: bodyFile, BASELINE_HEADERS_FILE: headersFile },
  });
  try {
    return { ...(await measureBaseline(server, options)), pageBytes: home.body.length };
  } finally {
    await server.stop();
  }
}

/** Baseline (b): hono/jsx rendering a page the size of Quire's signed-in home page. */
export async function measureJsxBaseline(targetBytes: number, options: Options): Promise<Measurement & { targetBytes: number }> {
  const port = await freePort();
  const server = await startServer({
    label: 'hono/jsx baseline',
    command: TSX_COMMAND[0],
    args: [...TSX_COMMAND[1], path.join(BENCH_DIR, 'jsx-baseline.tsx')],
    port,
    readyPath: '/',
    env: { PORT: String(port), TARGET_BYTES: String(targetBytes) },
  });
  try {
    return { ...(await measureBaseline(server, options)), targetBytes };
  } finally {
    await server.stop();
  }
}

async function measureBaseline(server: ServerProcess, options: Options): Promise<Measurement> {
  say(`${server.label} (${options.durationSec} s)`);
  const page = load(server, options.connections, options.durationSec, { method: 'GET', path: '/', headers: PAGE_HEADERS });
  return (await measure(server, page, { warmupSec: options.warmupSec })).main;
}
