/**
 * Work that a request can make cost up to a second of CPU (rendering an article body with
 * markdown-it and highlight.js, measuring a password with zxcvbn) runs here, in one worker thread,
 * never on the thread that serves pages: four clients sending the costliest inputs for 20 s held
 * /healthz at a p99 of 2.8-7.4 s when it ran inline, and 29-45 ms here (scripts/stall.ts).
 *
 * One worker, one job at a time: this is a 1-2 core server's spare core, not a farm. Jobs wait in
 * a bounded queue (a full one answers 429), each has a time limit (the worker is then replaced),
 * and the worker is started on first use and stopped when idle, so a server that only serves
 * pages keeps neither its thread nor the renderer and dictionaries (about 50 MB) in memory.
 */
import { Worker } from 'node:worker_threads';
import { HTTPException } from 'hono/http-exception';
import type { PasswordStrength } from '../auth/password-strength';
import { offThreadWorkerScript } from '../runtime';
import { TooManyRequests } from '../security/limits';
import type { RenderedBody } from './markdown';

export type JobRequest =
  | { kind: 'renderBody'; body: string; /** PUBLIC_URL: this site's images written in full get their sizes too */ siteUrl?: string }
  | { kind: 'measurePassword'; password: string; context: string[] };

type JobValue<R extends JobRequest> = R extends { kind: 'renderBody' } ? RenderedBody : PasswordStrength;

export type JobReply =
  | { id: number; ok: true; value: RenderedBody | PasswordStrength }
  | { id: number; ok: false; message: string };

/** A body at the 100 KB limit renders in about 1.2 s on a slow core; ten times that is a fault. */
export const JOB_TIMEOUT_MS = 15_000;
/** Jobs waiting beyond this many are refused: each stands for a request held open. */
export const QUEUE_MAX = 32;
/** An idle worker is stopped after this long: its memory goes back; restarting costs ~0.3 s. */
const IDLE_MS = 60_000;

/** A job that ran past its time limit: the input costs too much to handle (422 at every door). */
export class JobTooCostly extends HTTPException {
  constructor() {
    super(422, { message: 'This is too costly to process: make it shorter or simpler.' });
  }
}

type Pending = { id: number; request: JobRequest; timeoutMs: number; resolve: (value: unknown) => void; reject: (error: Error) => void };

class OffThread {
  private worker: Worker | null = null;
  private running: (Pending & { timer: NodeJS.Timeout }) | null = null;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;

  run<R extends JobRequest>(request: R, timeoutMs: number): Promise<JobValue<R>> {
    if (this.queue.length >= QUEUE_MAX) return Promise.reject(new TooManyRequests(1));
    return new Promise<JobValue<R>>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, timeoutMs, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  private start(): Worker {
    const { script, options } = offThreadWorkerScript();
    const worker = new Worker(script, options);
    worker.on('message', (reply: JobReply) => {
      const job = this.running;
      if (!job || job.id !== reply.id) return;
      this.finish();
      if (reply.ok) job.resolve(reply.value);
      else job.reject(new Error(reply.message));
    });
    // a crash (out of memory, a bug): the job fails, the next job gets a fresh worker
    worker.on('error', (error) => this.abandon(worker, error));
    worker.on('exit', (code) => this.abandon(worker, new Error(`the worker stopped (exit code ${code})`)));
    return worker;
  }

  private dispatch(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) {
      // idle: the process may exit (CLI, tests), and the worker goes after a while
      this.worker?.unref();
      if (this.worker && !this.idleTimer) {
        this.idleTimer = setTimeout(() => this.stop(), IDLE_MS);
        this.idleTimer.unref();
      }
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.worker ??= this.start();
    this.worker.ref();
    const timer = setTimeout(() => {
      const worker = this.worker;
      this.abandon(worker, new JobTooCostly());
      void worker?.terminate();
    }, job.timeoutMs);
    this.running = { ...job, timer };
    this.worker.postMessage({ id: job.id, request: job.request });
  }

  private finish(): void {
    if (this.running) clearTimeout(this.running.timer);
    this.running = null;
    this.dispatch();
  }

  /** The worker failed or was given up on: its job fails, the queue moves on with a new one. */
  private abandon(worker: Worker | null, error: Error): void {
    if (worker !== this.worker) return;
    this.worker = null;
    const job = this.running;
    if (job) {
      clearTimeout(job.timer);
      this.running = null;
      job.reject(error);
    }
    this.dispatch();
  }

  private stop(): void {
    this.idleTimer = null;
    const worker = this.worker;
    if (!worker || this.running) return;
    this.worker = null;
    void worker.terminate();
  }
}

let offThread: OffThread | null = null;

/**
 * Runs `request` in the worker thread; rejects with TooManyRequests when too many wait, and with
 * JobTooCostly when it runs past `timeoutMs` (counted from when it starts, worker start included).
 */
export function runOffThread<R extends JobRequest>(request: R, timeoutMs = JOB_TIMEOUT_MS): Promise<JobValue<R>> {
  offThread ??= new OffThread();
  return offThread.run(request, timeoutMs);
}
