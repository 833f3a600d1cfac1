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
