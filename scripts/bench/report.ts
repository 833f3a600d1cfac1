/**
 * The results: one fixed-width table on stdout, the targets met or not, and everything as JSON
 * in bench-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../../src/db/engine';
import type { LoadResult, Measurement } from './measure';
import type { NodesRow } from './nodes';
import type { ReadTarget } from './targets';

export const P99_TARGET_MS = 10;
const BASELINE_SHARE = 0.5;
const SCALING_SHARE = 0.8;
const PEAK_RSS_MB = 150;
const IDLE_RSS_MB = 75;
export const WRITES_PER_SEC = 1000;
/** a paced write mix counts as sustained when it reached this share of its rate */
const SUSTAINED_SHARE = 0.98;
/** a load average above this before the run means something else was using the machine */
const BUSY_LOAD = 0.7;
/** anonymous cached pages on PostgreSQL: at most this much more CPU a request than on SQLite */
const POSTGRES_ANONYMOUS_SHARE = 1.1;

export type ReadRow = Pick<ReadTarget, 'name' | 'group' | 'baseline' | 'path'> & {
  m: Measurement;
  /** req per CPU-second against the matching baseline's */
  ratio: number;
};

export type WhileWritingRow = { name: string; m: Measurement; writes: LoadResult };

export type ServerRun = {
  label: string;
  engine: Engine;
  dataset: 'large' | 'small';
  idleRssMb: number;
  reads: ReadRow[];
};

export type Baselines = { raw: Measurement & { pageBytes: number }; jsx: Measurement & { targetBytes: number } };

export type ScalingRow = { name: string; large: number; small: number; ratio: number };

/** What was measured on one engine. */
export type EngineResults = {
  engine: Engine;
  /** what served the data: SQLite files, or which PostgreSQL server */
  database: string;
  runs: ServerRun[];
  writes: Measurement | null;
  whileWriting: WhileWritingRow[];
  scaling: ScalingRow[];
  /** one node against two (PostgreSQL only) */
  nodes: NodesRow[];
};

export type Results = {
  startedAt: string;
  finishedAt: string;
  totalSeconds: number;
  machine: {
    os: string;
    cpuModel: string;
    cpus: number;
    pinned: boolean;
    clockTicks: number;
    /** 1, 5 and 15-minute load averages when the run started and ended */
    loadAverage: { before: number[]; after: number[] };
  };
  node: string;
  commit: string | null;
  /** uncommitted changes were measured too */
  worktreeDirty: boolean;
  options: Record<string, unknown>;
  datasets: Record<string, Record<string, unknown>>;
  baselines: Baselines;
  /** in the order measured: SQLite, PostgreSQL, or both */
  engines: EngineResults[];
  checks: Check[];
};

export type Check = { target: string; value: string; goal: string; met: boolean };

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** " (2 ECONNRESET)": what the socket errors were, when there were any */
const errorCodes = (codes: Record<string, number> | undefined) => {
  const listed = Object.entries(codes ?? {}).map(([code, n]) => `${n} ${code}`);
  return listed.length ? ` (${listed.join(', ')})` : '';
};
const percent = (ratio: number) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : '-');

const COLUMNS: Array<[string, number]> = [
  ['target', 30], ['req/s', 8], ['p50 ms', 8], ['p99 ms', 8], ['cpu ms/req', 10], ['req/cpu-s', 9],
  ['vs base', 7], ['srv cpu', 7], ['peak MB', 7], ['errors', 6], ['note', 0],
];

function line(cells: string[]): string {
  return cells
    .map((cell, i) => {
      const [, width] = COLUMNS[i]!;
      return i === 0 ? cell.padEnd(width) : width ? cell.padStart(width) : ` ${cell}`;
    })
    .join(' ')
    .trimEnd();
}

function row(name: string, m: Measurement, ratio: string, note = ''): string {
  return line([
    name.slice(0, 30), fixed(m.rps, 0), fixed(m.p50Ms, 2), fixed(m.p99Ms, 2), fixed(m.cpuMsPerReq, 3),
    fixed(m.reqPerCpuSec, 0), ratio, `${fixed(m.serverCpuPct, 0)}%`, fixed(m.peakRssMb, 0), String(m.errors), note,
  ]);
}

export function formatTable(r: Results): string {
  const out: string[] = [];
  const header = line(COLUMNS.map(([name]) => name));
  const section = (title: string) => out.push('', title, header, '-'.repeat(header.length + 12));
  const { machine, options } = r;
  const commit = `${r.commit?.slice(0, 10) ?? '?'}${r.worktreeDirty ? ' (dirty)' : ''}`;
  out.push(`Quire benchmark  ${r.startedAt}  ${machine.cpuModel} x${machine.cpus}  node ${r.node}  commit ${commit}`);
  out.push(
    `${options.quick ? 'quick' : 'full'} run: ${String(options.durationSec)} s per target, ` +
      `${String(options.connections)} connections; server pinned to CPU 0: ${machine.pinned}`,
  );
  const busy = machine.loadAverage.before[0] ?? 0;
  if (busy > BUSY_LOAD) {
    out.push(
      `WARNING: load average ${busy.toFixed(1)} before the run: other processes share these CPUs, ` +
        'so req/s and latency are unreliable (CPU per request less so)',
    );
  }
  out.push('datasets');
  for (const [name, d] of Object.entries(r.datasets)) {
    out.push(`  ${name}: ${JSON.stringify(d.counts)} seeded in ${fixed(Number(d.seedMs) / 1000, 1)} s`);
  }
  out.push(`binary: ${String(options.binary)}`);
  const runs = r.engines.flatMap((e) => e.runs);
  out.push(`idle RSS: ${runs.map((run) => `${prefix(run.engine)}${run.label} ${run.dataset} ${fixed(run.idleRssMb, 0)} MB`).join(', ')}`);

  section('Baselines');
  out.push(row('raw node:http (home bytes)', r.baselines.raw, '', `${r.baselines.raw.pageBytes} B page`));
  out.push(row('hono/jsx render', r.baselines.jsx, '', `~${r.baselines.jsx.targetBytes} B page`));
  for (const e of r.engines) {
    const tag = prefix(e.engine);
    if (e.engine === 'postgres') out.push('', `PostgreSQL: ${e.database}; its CPU is counted apart ("db" in the notes)`);
    for (const run of e.runs) {
      section(`${tag}Reads: ${run.label} (${run.dataset} dataset)`);
      for (const read of run.reads) {
        out.push(row(read.name, read.m, percent(read.ratio), `${read.baseline} ${fixed(read.m.bytesPerResponse / 1024, 1)} KiB${dbNote(read.m)}`));
      }
    }
    if (e.writes) {
      section(`${tag}Writes: POST /api/articles/:slug/comments`);
      out.push(row('comments', e.writes, '', `${fixed(e.writes.okPerSec, 0)} comments/s${dbNote(e.writes)}`));
    }
    if (e.whileWriting.length) {
      section(`${tag}Reads while writing ${WRITES_PER_SEC} comments/s (cpu/req over reads + writes)`);
      for (const w of e.whileWriting) {
        out.push(
          row(w.name, w.m, '', `+${fixed(w.writes.okPerSec, 0)} comments/s, ${w.writes.errors} write errors${errorCodes(w.writes.socketErrorCodes)}${dbNote(w.m)}`),
        );
      }
    }
    if (e.scaling.length) {
      out.push('', `${tag}Scaling: req/cpu-s at 10 000 articles / at 1 000`);
      for (const each of e.scaling) {
        out.push(`  ${each.name.padEnd(28)} ${fixed(each.large, 0).padStart(8)} / ${fixed(each.small, 0).padStart(8)} = ${percent(each.ratio).padStart(5)}`);
      }
    }
    if (e.nodes.length) out.push('', ...formatNodes(e.nodes));
  }
  const comparison = compareEngines(r);
  if (comparison.length) {
    out.push('', 'PostgreSQL against SQLite (large dataset, CPU ms a request: Quire, PostgreSQL, both)');
    out.push(`  ${'target'.padEnd(28)} ${'SQLite'.padStart(7)} ${'Quire'.padStart(7)} ${'db'.padStart(7)} ${'both'.padStart(7)} ${'both/SQLite'.padStart(11)}`);
    for (const c of comparison) {
      out.push(
        `  ${c.name.padEnd(28)} ${fixed(c.sqlite, 3).padStart(7)} ${fixed(c.quire, 3).padStart(7)} ${fixed(c.db ?? Number.NaN, 3).padStart(7)} ` +
          `${fixed(c.total, 3).padStart(7)} ${percent(c.total / c.sqlite).padStart(11)}`,
      );
    }
  }
  out.push('', 'Targets');
  const width = Math.max(...r.checks.map((c) => c.target.length));
  for (const c of r.checks) {
    out.push(`  ${c.met ? 'MET    ' : 'NOT MET'}  ${c.target.padEnd(width)}  ${c.value.padStart(9)}  (goal ${c.goal})`);
  }
  out.push(`  ${r.checks.filter((c) => c.met).length} of ${r.checks.length} met`);
  return out.join('\n');
}

/** Every target from the issue, with its value measured in this run (PostgreSQL's named so). */
export function evaluateTargets(r: Omit<Results, 'checks'>): Check[] {
  const checks: Check[] = [];
  const check = (target: string, value: string, goal: string, met: boolean) => checks.push({ target, value, goal, met });
  const p99 = (target: string, m: Measurement) =>
    check(target, `${fixed(m.p99Ms, 2)} ms`, `<= ${P99_TARGET_MS} ms`, m.p99Ms <= P99_TARGET_MS);

  const errorSources: Array<[string, number]> = [
    ['raw baseline', r.baselines.raw.errors],
    ['hono/jsx baseline', r.baselines.jsx.errors],
  ];
  for (const e of r.engines) {
    const tag = prefix(e.engine);
    for (const run of e.runs.filter((run) => run.dataset === 'large')) {
      for (const read of run.reads) {
        const base = read.baseline === 'raw' ? 'raw node:http' : 'hono/jsx';
        check(`${tag}${run.label}: ${read.name} vs ${base}`, percent(read.ratio), `>= ${percent(BASELINE_SHARE)}`, read.ratio >= BASELINE_SHARE);
      }
    }
    for (const run of e.runs) {
      for (const read of run.reads) p99(`${tag}${run.label} ${run.dataset}: ${read.name} p99 at ${read.m.connections} conns`, read.m);
    }
    errorSources.push(
      ...e.runs.flatMap((run) => run.reads.map((read): [string, number] => [`${tag}${run.label} ${run.dataset} ${read.name}`, read.m.errors])),
      [`${tag}writes`, e.writes?.errors ?? 0],
      ...e.whileWriting.map((w): [string, number] => [`${tag}while writing ${w.name}`, w.m.errors + w.writes.errors]),
      ...e.nodes.map((n): [string, number] => [`${tag}${n.nodes} node(s) ${n.target}`, n.perNode.reduce((sum, node) => sum + node.errors, 0)]),
    );
  }
  const errors = errorSources.reduce((sum, [, n]) => sum + n, 0);
  const where = errorSources.filter(([, n]) => n > 0).map(([name, n]) => `${name}: ${n}`);
  const shown = where.length > 4 ? [...where.slice(0, 4), `${where.length - 4} more`] : where;
  check(`errors${shown.length ? ` (${shown.join('; ')})` : ''}`, String(errors), '0', errors === 0);

  for (const e of r.engines) {
    const tag = prefix(e.engine);
    for (const run of e.runs) {
      const underWrites = run.label === 'source' && run.dataset === 'large' && e.writes ? [e.writes, ...e.whileWriting.map((w) => w.m)] : [];
      const peak = Math.max(...run.reads.map((read) => read.m.peakRssMb), ...underWrites.map((m) => m.peakRssMb));
      check(`${tag}${run.label} ${run.dataset}: peak RSS under load`, `${fixed(peak, 0)} MB`, `<= ${PEAK_RSS_MB} MB`, peak <= PEAK_RSS_MB);
      check(`${tag}${run.label} ${run.dataset}: idle RSS`, `${fixed(run.idleRssMb, 0)} MB`, `<= ${IDLE_RSS_MB} MB`, run.idleRssMb <= IDLE_RSS_MB);
    }
    for (const each of e.scaling) {
      check(`${tag}scaling: ${each.name} at 10 000 vs 1 000 articles`, percent(each.ratio), `>= ${percent(SCALING_SHARE)}`, each.ratio >= SCALING_SHARE);
    }
    if (e.writes) {
      const rate = e.writes.okPerSec;
      check(`${tag}writes: comments per second`, fixed(rate, 0), `>= ${WRITES_PER_SEC}`, rate >= WRITES_PER_SEC);
    }
    if (e.whileWriting.length) {
      const slowest = Math.min(...e.whileWriting.map((w) => w.writes.okPerSec));
      check(
        `${tag}while writing: comments per second sustained`,
        fixed(slowest, 0),
        `>= ${fixed(WRITES_PER_SEC * SUSTAINED_SHARE, 0)}`,
        slowest >= WRITES_PER_SEC * SUSTAINED_SHARE,
      );
    }
    for (const w of e.whileWriting) p99(`${tag}while writing: ${w.name} p99`, w.m);
  }
  for (const c of compareEngines(r).filter((c) => c.group === 'anonymous')) {
    const ratio = c.total / c.sqlite;
    check(`PostgreSQL: ${c.name} CPU (Quire + db) vs SQLite`, percent(ratio), `<= ${percent(POSTGRES_ANONYMOUS_SHARE)}`, ratio <= POSTGRES_ANONYMOUS_SHARE);
  }
  return checks;
}

/** "PostgreSQL " before what was measured there; nothing before SQLite's, named as they always were. */
function prefix(engine: Engine): string {
  return engine === 'postgres' ? 'PostgreSQL ' : '';
}

/** The database server's share of a measurement, when it has one. */
function dbNote(m: Measurement): string {
  return m.dbCpuMsPerReq === null ? '' : `, db ${fixed(m.dbCpuMsPerReq, 3)} ms/req (${fixed(((m.dbCpuMs ?? 0) / (m.seconds * 1000)) * 100, 0)}% cpu)`;
}

type Comparison = { name: string; group: ReadRow['group'] | 'writes'; sqlite: number; quire: number; db: number | null; total: number };

/** CPU a request on both engines, target by target (large dataset, from source), when both ran. */
function compareEngines(r: Omit<Results, 'checks'>): Comparison[] {
  const sqlite = r.engines.find((e) => e.engine === 'sqlite');
  const postgres = r.engines.find((e) => e.engine === 'postgres');
  if (!sqlite || !postgres) return [];
  const large = (e: EngineResults) => e.runs.find((run) => run.label === 'source' && run.dataset === 'large')!;
  const compare = (name: string, group: Comparison['group'], a: Measurement, b: Measurement): Comparison => ({
    name,
    group,
    sqlite: a.cpuMsPerReq,
    quire: b.cpuMsPerReq,
    db: b.dbCpuMsPerReq,
    total: b.cpuMsPerReq + (b.dbCpuMsPerReq ?? 0),
  });
  const rows = large(sqlite).reads.map((read, i) => compare(read.name, read.group, read.m, large(postgres).reads[i]!.m));
  if (sqlite.writes && postgres.writes) rows.push(compare('comments (writes)', 'writes', sqlite.writes, postgres.writes));
  return rows;
}

/** One node against two: how the machine's CPUs divided. */
function formatNodes(rows: NodesRow[]): string[] {
  const out = ['PostgreSQL: one node and two (nothing pinned: nodes, PostgreSQL and the load generator share every CPU)'];
  out.push(`  ${'target'.padEnd(20)} ${'nodes'.padStart(5)} ${'req/s'.padStart(8)}  per node: req/s, p99 ms, cpu ms/req, cpu%   db ms/req  db cpu%  load cpu%`);
  for (const n of rows) {
    const perNode = n.perNode.map((node) => `${fixed(node.rps, 0)}, ${fixed(node.p99Ms, 1)}, ${fixed(node.cpuMsPerReq, 3)}, ${fixed(node.cpuPct, 0)}%`).join(' | ');
    out.push(
      `  ${n.target.padEnd(20)} ${String(n.nodes).padStart(5)} ${fixed(n.rps, 0).padStart(8)}  ${perNode.padEnd(44)} ` +
        `${fixed(n.dbCpuMsPerReq ?? Number.NaN, 3).padStart(9)} ${`${fixed(n.dbCpuPct ?? Number.NaN, 0)}%`.padStart(8)} ${`${fixed(n.loadCpuPct, 0)}%`.padStart(9)}`,
    );
  }
  return out;
}

/** bench-results/bench-<ISO time>.json (git-ignored); returns its path. */
export function writeJson(r: Results, root: string): string {
  const dir = path.join(root, 'bench-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${r.startedAt.replace(/:/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
