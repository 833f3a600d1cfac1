import type { Fragment } from './cache';
import type { Core } from './core';

/** What every feature's routes are built from: the use cases' Core, and parts of pages rendered once. */
export type AppDeps = Core & { fragment: Fragment };
