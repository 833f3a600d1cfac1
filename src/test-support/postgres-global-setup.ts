/**
 * vitest globalSetup: a PostgreSQL server for the run. QUIRE_TEST_POSTGRES_URL names one already
 * (CI's, or one started by hand); otherwise a throwaway cluster is started here and stopped at the
 * end. The URL reaches the tests through `inject('postgresUrl')` and the environment; the run's id
 * names its databases, which are all dropped at the end (src/test-support/postgres.ts).
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { dropTestDatabases, startPostgresCluster, type PostgresCluster } from './postgres-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresRunId: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: PostgresCluster | null = null;
  let url = process.env.QUIRE_TEST_POSTGRES_URL;
  if (!url) {
    const started = performance.now();
    cluster = await startPostgresCluster();
    url = cluster.url;
    if (process.env.QUIRE_TEST_TIMINGS) {
      process.stderr.write(`[postgres] cluster started in ${Math.round(performance.now() - started)} ms at ${url}\n`);
    }
  }
  const runId = process.env.QUIRE_TEST_RUN_ID ?? randomBytes(4).toString('hex');
  // workers start after this: they inherit both
  process.env.QUIRE_TEST_POSTGRES_URL = url;
  process.env.QUIRE_TEST_RUN_ID = runId;
  project.provide('postgresUrl', url);
  project.provide('postgresRunId', runId);
  return async () => {
    try {
      if (!cluster) await dropTestDatabases(url, runId);
    } finally {
      await cluster?.stop();
    }
  };
}
