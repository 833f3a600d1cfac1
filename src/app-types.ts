import type { Db } from './db/client';
import type { Env } from './env';
import type { Clock } from './lib/clock';
import type { Log } from './lib/logger';
import type { Limits } from './security/limits';

/** What createApp() and every feature's routes are built from. */
export type AppDeps = { db: Db; env: Env; clock: Clock; log: Log; limits: Limits };
