import type { Db } from './db/client';
import type { Env } from './env';
import type { Clock } from './lib/clock';

/** What createApp() and every feature's routes are built from. */
export type AppDeps = { db: Db; env: Env; clock: Clock };
