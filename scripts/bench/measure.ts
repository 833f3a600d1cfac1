/**
 * One measurement: autocannon for a fixed time against one target (optionally with a second load
 * running alongside), the server's CPU time over exactly that window, and its peak memory.
 */
import autocannon, { type Request } from 'autocannon';
import { cpuMs, memoryMb, resetPeakRss } from './servers';

/** a request stuck this long counts as an error (a timeout) */
const REQUEST_TIMEOUT_S = 10;
/** autocannon checks for the end of a run only when it samples (default every 1 000 ms) */
const SAMPLE_INTERVAL_MS = 100;

export type LoadSpec = {
  /** the server's origin, http://127.0.0.1:PORT */
  url: string;
  connections: number;
  durationSec: number;
  request: Request;
  /** send at this many requests per second in all, rather than as fast as the server answers */
  overallRate?: number;
};

export type LoadResult = {
  responses: number;
  /** 2xx and 3xx */
  ok: number;
  /** 4xx, 5xx and socket errors (timeouts included) */
  errors: number;
  statusCounts: Record<string, number>;
  seconds: number;
  /** responses per second (of any status) */
  rps: number;
  okPerSec: number;
  /** exact, from every response's own time; not autocannon's whole-millisecond histogram */
  p50Ms: number;
  p99Ms: number;
  bytesPerResponse: number;
};

export type Measurement = LoadResult & {
  connections: number;
  /** server CPU time (user + system, all threads) over the measured window */
  cpuMs: number;
  cpuMsPerReq: number;
  reqPerCpuSec: number;
  /** share of one CPU the server used: under ~90% it was not the bottleneck (client or a busy machine was) */
  serverCpuPct: number;
  /** VmHWM at the end of this target (reset at its start where the kernel allows) */
  peakRssMb: number;
};

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs one autocannon instance to completion. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let bytes = 0;
  const started = performance.now();
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSec,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    timeout: REQUEST_TIMEOUT_S,
    sampleInt: SAMPLE_INTERVAL_MS,
    requests: [spec.request],
  });
  instance.on('response', (_client: unknown, _status: number, resBytes: number, responseTime: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTime;
    bytes += resBytes;
  });
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.subarray(0, count).sort();
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count: n }]) => [code, n]));
  const ok = result['2xx'] + result['3xx'];
  return {
    responses: count,
    ok,
    errors: result['4xx'] + result['5xx'] + result.errors,
    statusCounts,
    seconds,
    rps: count / seconds,
    okPerSec: ok / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    bytesPerResponse: count ? bytes / count : 0,
  };
}

/**
 * Measures `main` on the server `pid`, after `warmupSec` of the same load (not counted). With
 * `alongside`, that load runs over the same window; the CPU per request is then shared by every
 * request served in the window, reads and writes together.
 */
export async function measure(
  pid: number,
  main: LoadSpec,
  options: { warmupSec: number; alongside?: LoadSpec },
): Promise<{ main: Measurement; alongside: LoadResult | null }> {
  const { warmupSec, alongside } = options;
  if (warmupSec > 0) {
    await Promise.all([
      runLoad({ ...main, durationSec: warmupSec }),
      alongside ? runLoad({ ...alongside, durationSec: warmupSec }) : null,
    ]);
  }
  resetPeakRss(pid);
  const cpuBefore = cpuMs(pid);
  const [result, other] = await Promise.all([runLoad(main), alongside ? runLoad(alongside) : null]);
  const cpu = cpuMs(pid) - cpuBefore;
  const served = result.responses + (other?.responses ?? 0);
  return {
    main: {
      ...result,
      connections: main.connections,
      cpuMs: cpu,
      cpuMsPerReq: served ? cpu / served : Number.NaN,
      reqPerCpuSec: cpu > 0 ? (served * 1000) / cpu : Number.NaN,
      serverCpuPct: (cpu / (result.seconds * 1000)) * 100,
      peakRssMb: memoryMb(pid, 'VmHWM'),
    },
    alongside: other,
  };
}
