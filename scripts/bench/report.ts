/**
 * The results: one fixed-width table on stdout, the targets met or not, and everything as JSON
 * in bench-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LoadResult, Measurement } from './measure';
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

export type ReadRow = Pick<ReadTarget, 'name' | 'group' | 'baseline' | 'path'> & {
  m: Measurement;
  /** req per CPU-second against the matching baseline's */
  ratio: number;
};

export type WhileWritingRow = { name: string; m: Measurement; writes: LoadResult };

export type ServerRun = {
  label: string;
  dataset: 'large' | 'small';
  idleRssMb: number;
  reads: ReadRow[];
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
  baselines: { raw: Measurement & { pageBytes: number }; jsx: Measurement & { targetBytes: number } };
  runs: ServerRun[];
  writes: Measurement | null;
  whileWriting: WhileWritingRow[];
  scaling: Array<{ name: string; large: number; small: number; ratio: number }>;
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
  out.push(`idle RSS: ${r.runs.map((run) => `${run.label} ${run.dataset} ${fixed(run.idleRssMb, 0)} MB`).join(', ')}`);

  section('Baselines');
  out.push(row('raw node:http (home bytes)', r.baselines.raw, '', `${r.baselines.raw.pageBytes} B page`));
  out.push(row('hono/jsx render', r.baselines.jsx, '', `~${r.baselines.jsx.targetBytes} B page`));
  for (const run of r.runs) {
    section(`Reads: ${run.label} (${run.dataset} dataset)`);
    for (const read of run.reads) {
      out.push(row(read.name, read.m, percent(read.ratio), `${read.baseline} ${fixed(read.m.bytesPerResponse / 1024, 1)} KiB`));
    }
  }
  if (r.writes) {
    section('Writes: POST /api/articles/:slug/comments');
    out.push(row('comments', r.writes, '', `${fixed(r.writes.okPerSec, 0)} comments/s`));
  }
  if (r.whileWriting.length) {
    section(`Reads while writing ${WRITES_PER_SEC} comments/s (cpu/req over reads + writes)`);
    for (const w of r.whileWriting) {
      out.push(row(w.name, w.m, '', `+${fixed(w.writes.okPerSec, 0)} comments/s, ${w.writes.errors} write errors${errorCodes(w.writes.socketErrorCodes)}`));
    }
  }
  if (r.scaling.length) {
    out.push('', 'Scaling: req/cpu-s at 10 000 articles / at 1 000');
    for (const s of r.scaling) {
      out.push(`  ${s.name.padEnd(28)} ${fixed(s.large, 0).padStart(8)} / ${fixed(s.small, 0).padStart(8)} = ${percent(s.ratio).padStart(5)}`);
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

/** Every target from the issue, with its value measured in this run. */
export function evaluateTargets(r: Omit<Results, 'checks'>): Check[] {
  const checks: Check[] = [];
  const check = (target: string, value: string, goal: string, met: boolean) => checks.push({ target, value, goal, met });
  const p99 = (target: string, m: Measurement) =>
    check(target, `${fixed(m.p99Ms, 2)} ms`, `<= ${P99_TARGET_MS} ms`, m.p99Ms <= P99_TARGET_MS);

  for (const run of r.runs.filter((run) => run.dataset === 'large')) {
    for (const read of run.reads) {
      const base = read.baseline === 'raw' ? 'raw node:http' : 'hono/jsx';
      check(`${run.label}: ${read.name} vs ${base}`, percent(read.ratio), `>= ${percent(BASELINE_SHARE)}`, read.ratio >= BASELINE_SHARE);
    }
  }
  for (const run of r.runs) {
    for (const read of run.reads) p99(`${run.label} ${run.dataset}: ${read.name} p99 at ${read.m.connections} conns`, read.m);
  }

  const errorSources: Array<[string, number]> = [
    ['raw baseline', r.baselines.raw.errors],
    ['hono/jsx baseline', r.baselines.jsx.errors],
    ...r.runs.flatMap((run) => run.reads.map((read): [string, number] => [`${run.label} ${run.dataset} ${read.name}`, read.m.errors])),
    ['writes', r.writes?.errors ?? 0],
    ...r.whileWriting.map((w): [string, number] => [`while writing ${w.name}`, w.m.errors + w.writes.errors]),
  ];
  const errors = errorSources.reduce((sum, [, n]) => sum + n, 0);
  const where = errorSources.filter(([, n]) => n > 0).map(([name, n]) => `${name}: ${n}`);
  const shown = where.length > 4 ? [...where.slice(0, 4), `${where.length - 4} more`] : where;
  check(`errors${shown.length ? ` (${shown.join('; ')})` : ''}`, String(errors), '0', errors === 0);

  for (const run of r.runs) {
    const underWrites = run.label === 'source' && run.dataset === 'large' && r.writes ? [r.writes, ...r.whileWriting.map((w) => w.m)] : [];
    const peak = Math.max(...run.reads.map((read) => read.m.peakRssMb), ...underWrites.map((m) => m.peakRssMb));
    check(`${run.label} ${run.dataset}: peak RSS under load`, `${fixed(peak, 0)} MB`, `<= ${PEAK_RSS_MB} MB`, peak <= PEAK_RSS_MB);
    check(`${run.label} ${run.dataset}: idle RSS`, `${fixed(run.idleRssMb, 0)} MB`, `<= ${IDLE_RSS_MB} MB`, run.idleRssMb <= IDLE_RSS_MB);
  }
  for (const s of r.scaling) {
    check(`scaling: ${s.name} at 10 000 vs 1 000 articles`, percent(s.ratio), `>= ${percent(SCALING_SHARE)}`, s.ratio >= SCALING_SHARE);
  }
  if (r.writes) {
    const rate = r.writes.okPerSec;
    check('writes: comments per second', fixed(rate, 0), `>= ${WRITES_PER_SEC}`, rate >= WRITES_PER_SEC);
  }
  if (r.whileWriting.length) {
    const slowest = Math.min(...r.whileWriting.map((w) => w.writes.okPerSec));
    check('while writing: comments per second sustained', fixed(slowest, 0), `>= ${fixed(WRITES_PER_SEC * SUSTAINED_SHARE, 0)}`, slowest >= WRITES_PER_SEC * SUSTAINED_SHARE);
  }
  for (const w of r.whileWriting) p99(`while writing: ${w.name} p99`, w.m);
  return checks;
}

/** bench-results/bench-<ISO time>.json (git-ignored); returns its path. */
export function writeJson(r: Results, root: string): string {
  const dir = path.join(root, 'bench-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${r.startedAt.replace(/:/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
