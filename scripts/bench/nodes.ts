/**
 * One node and two, on PostgreSQL: the same load on one Quire process, then split evenly over two
 * on the same database (each connection keeps to one node, as a load balancer without sticky
 * sessions spreads its connections). Nothing is pinned here: the nodes, PostgreSQL and the load
 * generator share every CPU of the machine, so the figures say how the machine's work divides
 * between them, not how Quire scales on more machines.
 */
import type { Request } from 'autocannon';
import { runLoad } from './measure';
import { say, startQuire, type BenchDatabase, type Options } from './phases';
import type { SeededDataset } from './seed';
import { ALL_CPUS, cpuMs, pinSelf, SERVER_CPU, type ServerProcess } from './servers';
import { checkCommentPost, checkTarget, commentRequest, readTargets } from './targets';

export type NodeShare = { rps: number; p50Ms: number; p99Ms: number; cpuMs: number; cpuMsPerReq: number; cpuPct: number; errors: number };

export type NodesRow = {
  target: string;
  nodes: number;
  connections: number;
  seconds: number;
  /** responses a second, every node together */
  rps: number;
  perNode: NodeShare[];
  /** PostgreSQL's CPU time over the window, per request and as a share of one CPU */
  dbCpuMsPerReq: number | null;
  dbCpuPct: number | null;
  /** the load generator's (this process's) share of one CPU */
  loadCpuPct: number;
};

type Load = { name: string; connections: number; request: (node: number) => Request };

const NODE_COUNTS = [1, 2];

export async function measureNodes(
  dataset: SeededDataset,
  database: Extract<BenchDatabase, { engine: 'postgres' }>,
  options: Options,
  pinDatabase: (cpus: string) => void,
  /** the loads to measure, by name (default: all three) */
  only?: string[],
): Promise<NodesRow[]> {
  const targets = readTargets(dataset);
  const read = (name: string): Load => {
    const target = targets.find((each) => each.name === name)!;
    return { name, connections: options.connections, request: () => ({ method: 'GET', path: target.path, headers: target.headers }) };
  };
  const loads: Load[] = [
    read('home'),
    read('signed-in home'),
    { name: 'comments (writes)', connections: options.writeConnections, request: (node: number) => commentRequest(dataset, 300 + node) },
  ].filter((load) => !only || only.includes(load.name));
  const rows: NodesRow[] = [];
  pinSelf(ALL_CPUS);
  pinDatabase(ALL_CPUS);
  try {
    for (const count of NODE_COUNTS) {
      const servers: ServerProcess[] = [];
      try {
        for (let node = 0; node < count; node++) {
          const { server } = await startQuire('source', dataset, database, { cpus: ALL_CPUS, name: `node ${node + 1} of ${count}` });
          servers.push(server);
          for (const target of targets) await checkTarget(server.url, target);
          await checkCommentPost(server.url, dataset);
        }
        for (const load of loads) rows.push(await measureSplit(servers, load, options));
      } finally {
        for (const server of servers) await server.stop();
      }
    }
  } finally {
    pinSelf();
    pinDatabase(String(SERVER_CPU));
  }
  return rows;
}

/** `load` split evenly over `servers`, each share its own load generator, all over the same window. */
async function measureSplit(servers: ServerProcess[], load: Load, options: Options): Promise<NodesRow> {
  say(`${servers.length} node${servers.length > 1 ? 's' : ''}: ${load.name} (${options.durationSec} s)`);
  const connections = Math.max(1, Math.round(load.connections / servers.length));
  const specs = servers.map((server, node) => ({ url: server.url, connections, durationSec: options.durationSec, request: load.request(node) }));
  if (options.warmupSec > 0) await Promise.all(specs.map((spec) => runLoad({ ...spec, durationSec: options.warmupSec })));
  const databaseCpuMs = servers[0]!.databaseCpuMs;
  const cpuBefore = servers.map((server) => cpuMs(server.pid));
  const dbBefore = databaseCpuMs?.() ?? 0;
  const loadBefore = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(specs.map((spec) => runLoad(spec)));
  const wallMs = performance.now() - started;
  const loadUsage = process.cpuUsage(loadBefore);
  const dbCpu = databaseCpuMs ? databaseCpuMs() - dbBefore : null;
  const perNode = results.map((result, i): NodeShare => {
    const cpu = cpuMs(servers[i]!.pid) - cpuBefore[i]!;
    return {
      rps: result.rps,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      cpuMs: cpu,
      cpuMsPerReq: result.responses ? cpu / result.responses : Number.NaN,
      cpuPct: (cpu / wallMs) * 100,
      errors: result.errors,
    };
  });
  const responses = results.reduce((sum, result) => sum + result.responses, 0);
  return {
    target: load.name,
    nodes: servers.length,
    connections: connections * servers.length,
    seconds: wallMs / 1000,
    rps: (responses * 1000) / wallMs,
    perNode,
    dbCpuMsPerReq: dbCpu !== null && responses ? dbCpu / responses : null,
    dbCpuPct: dbCpu !== null ? (dbCpu / wallMs) * 100 : null,
    loadCpuPct: ((loadUsage.user + loadUsage.system) / 1000 / wallMs) * 100,
  };
}
