/**
 * `quire` in a process of its own, as an operator runs it (src/cli.ts through tsx, from the
 * repository's root): its output so far, and events to wait on instead of sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tests that start real processes (each loads TypeScript through tsx) need room. */
export const PROCESS_TEST_TIMEOUT_MS = 60_000;
/** How long to wait for a line a process should print, before calling it a failure. */
export const LINE_TIMEOUT_MS = 20_000;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A running `quire` process: its output so far, and events to wait on instead of sleeping. */
export class Quire {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly listeners = new Set<() => void>();

  constructor(args: string[], env: Record<string, string>, input?: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env, stdio: 'pipe' });
    this.child.stdout!.setEncoding('utf8').on('data', (data: string) => {
      this.stdout += data;
      for (const listener of this.listeners) listener();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (data: string) => {
      this.stderr += data;
      for (const listener of this.listeners) listener();
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      // 'close' comes after the output streams have ended, so stdout and stderr are complete
      this.child.on('close', (code) => {
        resolve(code);
        for (const listener of this.listeners) listener();
      });
    });
    this.child.stdin!.end(input);
  }

  /** The `msg` of each JSON log line printed so far (LOG_FORMAT=json), in order. */
  logMessages(): string[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first whole line of stdout (or stderr) matching `pattern`, as soon as it is printed. */
  waitForLine(pattern: RegExp, timeoutMs = LINE_TIMEOUT_MS, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this[stream].split('\n').slice(0, -1).find((candidate) => pattern.test(candidate));
        if (line !== undefined) finish(() => resolve(line));
        else if (!this.running) finish(() => reject(new Error(`quire exited before printing ${pattern}:\n${this.stdout}${this.stderr}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${this.stdout}${this.stderr}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }
}

export type RunOptions = { env?: Record<string, string>; input?: string };

/**
 * The `quire` processes of one test file: each started with the file's environment unless told
 * otherwise, and all of them killed, and waited for, by stopAll() (the file's afterEach). Its
 * methods are bound, so a file can take them apart: `const { start, quire, startServer } = cli`.
 */
export class QuireRunner {
  private processes: Quire[] = [];

  /** `env(overrides)`: the file's environment for a command (a fresh shell's, and its database's). */
  constructor(private readonly env: (overrides?: Record<string, string>) => Record<string, string>) {}

  /** Starts a command and returns at once: wait on its lines and its exit. */
  start = (args: string[], options: RunOptions = {}): Quire => {
    const quire = new Quire(args, options.env ?? this.env(), options.input);
    this.processes.push(quire);
    return quire;
  };

  /** Runs a command to the end. */
  quire = async (args: string[], options: RunOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const run = this.start(args, options);
    const code = await run.exited;
    return { code, stdout: run.stdout, stderr: run.stderr };
  };

  /** `quire serve` on a free port of 127.0.0.1 with JSON logs, once it says where it listens. */
  startServer = async (overrides: Record<string, string> = {}): Promise<{ server: Quire; url: string }> => {
    const server = this.start(['serve'], { env: this.env({ PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', ...overrides }) });
    const listening = JSON.parse(await server.waitForLine(/"msg":"listening"/)) as { url: string };
    return { server, url: listening.url };
  };

  /** Kills every process still running and waits until each has exited. */
  async stopAll(): Promise<void> {
    const processes = this.processes;
    this.processes = [];
    for (const quire of processes) {
      if (quire.running) quire.child.kill('SIGKILL');
      await quire.exited.catch(() => {});
    }
  }
}

/**
 * `quire serve` as a production node of a site on PostgreSQL: DATABASE_URL, a free port of
 * 127.0.0.1, JSON logs, NODE_ENV=production; DATABASE_PATH names a file in `dir` where nothing may
 * appear (PostgreSQL takes no start-up lock). `started` is told of the process at once (to stop it
 * even if it never listens); returns once it says where it listens.
 */
export async function startPostgresNode(
  databaseUrl: string,
  dir: string,
  name: string,
  options: { env?: Record<string, string>; started?: (quire: Quire) => void } = {},
): Promise<{ quire: Quire; url: string }> {
  const quire = new Quire(['serve'], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    DATABASE_URL: databaseUrl,
    DATABASE_PATH: path.join(dir, `${name}.db`),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_FORMAT: 'json',
    NODE_ENV: 'production',
    ...options.env,
  });
  options.started?.(quire);
  const listening = JSON.parse(await quire.waitForLine(/"msg":"listening"/, PROCESS_TEST_TIMEOUT_MS)) as { url: string };
  return { quire, url: listening.url };
}
