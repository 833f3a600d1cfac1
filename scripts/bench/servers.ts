/**
 * Spawning the servers under test (pinned to CPU 0), waiting for them to answer, reading their
 * CPU time and memory from /proc, and making sure none outlives the harness.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: servers run from here, whatever the harness's working directory. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SERVER_CPU = 0;
export const LOAD_CPU = 1;
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 50;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_KEEP_BYTES = 16_384;

export class HarnessError extends Error {
  override name = 'HarnessError';
}

export type ServerProcess = {
  label: string;
  url: string;
  /** the process doing the serving (its CPU time and memory are what is measured) */
  pid: number;
  /** the end of what the server wrote to stderr (and to stdout, when it was kept) */
  output(): string;
  /** CPU time of its database server so far, in ms, when that is a process of its own (PostgreSQL) */
  databaseCpuMs?: () => number;
  stop(): Promise<void>;
};

const running = new Set<ChildProcess>();
/** servers started through a wrapper (npx tsx): their pids, to kill them too */
const grandchildren = new Set<number>();

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export const canPin = commandExists('taskset') && (() => {
  try {
    return execFileSync('nproc', { encoding: 'utf8' }).trim() !== '1';
  } catch {
    return false;
  }
})();

/** Clock ticks per second for /proc/<pid>/stat times. */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Every CPU of the machine, as taskset lists them. */
export const ALL_CPUS = `0-${Math.max(0, os.cpus().length - 1)}`;

/** Pins every thread of this process (autocannon runs here) to the load generator's CPU, or to `cpus`. */
export function pinSelf(cpus = String(LOAD_CPU)): boolean {
  if (!canPin) return false;
  return spawnSync('taskset', ['-a', '-cp', cpus, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** utime + stime of a process (all its threads), in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name may hold spaces: fields are counted after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** A /proc/<pid>/status memory field (VmRSS, VmHWM) in MB. */
export function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Resets VmHWM so each target reports its own peak; false where the kernel does not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Under `npx tsx` the server is a grandchild: follow node children down to the last one. */
function servingPid(pid: number): number {
  for (;;) {
    let children: string[];
    try {
      children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      return pid;
    }
    const node = children.find((child) => {
      try {
        return fs.readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'node';
      } catch {
        return false;
      }
    });
    if (!node) return pid;
    pid = Number(node);
  }
}

async function waitForReady(child: ChildProcess, url: string, stderr: () => string, label: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new HarnessError(`${label} exited before it was ready (${child.exitCode ?? child.signalCode}):\n${stderr()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new HarnessError(`${label} did not answer ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${stderr()}`);
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `command args` pinned to SERVER_CPU with stdout to /dev/null (the server still formats
 * and writes every log line) and waits until `readyPath` answers 2xx.
 */
export async function startServer(options: {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  /** keep stdout (the log) instead of sending it to /dev/null: only to find out why something failed */
  keepStdout?: boolean;
  /** the CPUs it may run on, as taskset lists them (default: SERVER_CPU alone) */
  cpus?: string;
}): Promise<ServerProcess> {
  const [command, args] = canPin
    ? ['taskset', ['-c', options.cpus ?? String(SERVER_CPU), options.command, ...options.args]]
    : [options.command, options.args];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.keepStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      output = (output + chunk).slice(-OUTPUT_KEEP_BYTES);
    });
  }
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForReady(child, `${url}${options.readyPath}`, () => output, options.label);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = servingPid(child.pid!);
  if (pid !== child.pid) grandchildren.add(pid);
  return {
    label: options.label,
    url,
    pid,
    output: () => output,
    async stop() {
      if (pid !== child.pid) killPid(pid, 'SIGTERM');
      child.kill('SIGTERM');
      if (!(await exited(child, STOP_TIMEOUT_MS))) {
        killPid(pid, 'SIGKILL');
        child.kill('SIGKILL');
        await exited(child, STOP_TIMEOUT_MS);
      }
      grandchildren.delete(pid);
    },
  };
}

/** Last resort on exit: no server may outlive the harness. */
export function killAllServers(): void {
  for (const pid of grandchildren) killPid(pid, 'SIGKILL');
  for (const child of running) child.kill('SIGKILL');
  grandchildren.clear();
  running.clear();
}
