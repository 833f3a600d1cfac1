import type { Core } from './core';

/** What createApp() and every feature's routes are built from: the use cases' Core. */
export type AppDeps = Core;
