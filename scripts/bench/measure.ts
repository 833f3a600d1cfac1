/**
 * One measurement: autocannon for a fixed time against one target (optionally with a second load
 * running alongside), the server's CPU time over exactly that window, and its peak memory.
 */
import http from 'node:http';
import autocannon, { type Request } from 'autocannon';
import { cpuMs, memoryMb, resetPeakRss, type ServerProcess } from './servers';

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
  /**
   * Send at this many requests per second in all, rather than as fast as the server answers
   * (runPacedLoad; `connections` then bounds the requests in flight).
   */
  overallRate?: number;
};

export type LoadResult = {
  responses: number;
  /** 2xx and 3xx */
  ok: number;
  /** 4xx, 5xx and socket errors (timeouts included) */
  errors: number;
  statusCounts: Record<string, number>;
  /** what the socket errors were (ECONNRESET, timeout, ...): recorded by the paced generator */
  socketErrorCodes?: Record<string, number>;
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
  /** the database server's CPU time over the window, when it is a process of its own (PostgreSQL) */
  dbCpuMs: number | null;
  dbCpuMsPerReq: number | null;
};

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function loadResult(
  latencies: Float64Array,
  statusCounts: Record<string, number>,
  socketErrors: number,
  bytes: number,
  seconds: number,
): LoadResult {
  const sorted = latencies.slice().sort();
  const count = sorted.length;
  const byClass = (first: string) =>
    Object.entries(statusCounts).reduce((sum, [code, n]) => (code.startsWith(first) ? sum + n : sum), 0);
  const ok = byClass('2') + byClass('3');
  return {
    responses: count,
    ok,
    errors: byClass('4') + byClass('5') + socketErrors,
    statusCounts,
    seconds,
    rps: count / seconds,
    okPerSec: ok / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    bytesPerResponse: count ? bytes / count : 0,
  };
}

/** Latencies as they come, in a typed array that grows. */
function latencyLog() {
  let values = new Float64Array(1 << 16);
  let count = 0;
  return {
    add(ms: number) {
      if (count === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[count++] = ms;
    },
    values: () => values.subarray(0, count),
  };
}

/** Runs one load to completion: autocannon, or the open-loop generator for a paced load. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return spec.overallRate ? runPacedLoad(spec, spec.overallRate) : runClosedLoad(spec);
}

/** The paced generator's sockets close after this long unused: under the server's 5 s keep-alive. */
const IDLE_SOCKET_MS = 4_000;

/** How often the paced generator looks at the clock. */
const PACE_TICK_MS = 1;

/**
 * An open-loop load (as wrk2 makes): request i is due at start + i / rate, whatever the server
 * does, so the rate offered is the rate asked for, spread evenly over each second. autocannon's
 * own pacing lets each connection send its share of a second back to back and then wait for the
 * next second, which offers the load in bursts at the start of every second. Latency is measured
 * from when a request was due, not when a socket was free to send it (no coordinated omission).
 */
export async function runPacedLoad(spec: LoadSpec, rate: number): Promise<LoadResult> {
  const { hostname, port } = new URL(spec.url);
  // Idle sockets are closed by the client before the server's keep-alive timeout (5 s) can close
  // them: otherwise a request sent on a socket just as the server closes it fails with ECONNRESET
  // (Node's agent heeds the server's "Keep-Alive: timeout=5" only when given a timeout of its own).
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections, timeout: IDLE_SOCKET_MS });
  const latencies = latencyLog();
  const statusCounts: Record<string, number> = {};
  const socketErrorCodes: Record<string, number> = {};
  let socketErrors = 0;
  const socketError = (error: NodeJS.ErrnoException) => {
    socketErrors++;
    const code = error.code ?? error.message;
    socketErrorCodes[code] = (socketErrorCodes[code] ?? 0) + 1;
  };
  let bytes = 0;
  const inFlight = new Set<Promise<void>>();

  const send = (due: number) => {
    const request = spec.request.setupRequest ? spec.request.setupRequest({ ...spec.request }, {}) : spec.request;
    const done = new Promise<void>((resolve) => {
      const req = http.request(
        { agent, hostname, port, method: request.method ?? 'GET', path: request.path ?? '/', headers: request.headers, timeout: REQUEST_TIMEOUT_S * 1000 },
        (res) => {
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => {
            latencies.add(performance.now() - due);
            const code = String(res.statusCode);
            statusCounts[code] = (statusCounts[code] ?? 0) + 1;
            resolve();
          });
          res.on('error', (error) => {
            socketError(error);
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => {
        socketError(error);
        resolve();
      });
      req.end(request.body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  const started = performance.now();
  const end = started + spec.durationSec * 1000;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = Math.min(performance.now(), end);
      const due = Math.floor(((now - started) * rate) / 1000);
      for (; sent < due; sent++) send(started + (sent * 1000) / rate);
      if (now >= end) resolve();
      else setTimeout(tick, PACE_TICK_MS);
    };
    tick();
  });
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { ...loadResult(latencies.values(), statusCounts, socketErrors, bytes, seconds), socketErrorCodes };
}

/** Runs one autocannon instance to completion: `connections` each sending as soon as answered. */
async function runClosedLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies = latencyLog();
  let bytes = 0;
  const started = performance.now();
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSec,
    timeout: REQUEST_TIMEOUT_S,
    sampleInt: SAMPLE_INTERVAL_MS,
    requests: [spec.request],
  });
  instance.on('response', (_client: unknown, _status: number, resBytes: number, responseTime: number) => {
    latencies.add(responseTime);
    bytes += resBytes;
  });
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count: n }]) => [code, n]));
  return loadResult(latencies.values(), statusCounts, result.errors, bytes, seconds);
}

/**
 * Measures `main` on `server`, after `warmupSec` of the same load (not counted). With
 * `alongside`, that load runs over the same window; the CPU per request is then shared by every
 * request served in the window, reads and writes together. The database server's CPU is counted
 * apart, when it has one.
 */
export async function measure(
  server: Pick<ServerProcess, 'pid' | 'databaseCpuMs'>,
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
  const { pid, databaseCpuMs } = server;
  resetPeakRss(pid);
  const cpuBefore = cpuMs(pid);
  const dbBefore = databaseCpuMs?.() ?? 0;
  const [result, other] = await Promise.all([runLoad(main), alongside ? runLoad(alongside) : null]);
  const cpu = cpuMs(pid) - cpuBefore;
  const dbCpu = databaseCpuMs ? databaseCpuMs() - dbBefore : null;
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
      dbCpuMs: dbCpu,
      dbCpuMsPerReq: dbCpu !== null && served ? dbCpu / served : null,
    },
    alongside: other,
  };
}
