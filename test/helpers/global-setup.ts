// Global test setup: starts ONE influxd and ONE PostgreSQL cluster for the whole run and hands their URLs to the
// test files through vitest's provide/inject (`inject('influxUrl')`, `inject('postgresUrl')`). Without influxd
// (or PostgreSQL) those suites are skipped, unless REQUIRE_INFLUX=1 (REQUIRE_POSTGRES=1) — CI —, in which case the
// run fails here rather than passing with suites skipped.
import type { TestProject } from 'vitest/node';
import { influxdAvailable, influxdBin, startInfluxd } from './influxd.js';
import { postgresAvailable, postgresBinDir, startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the shared influxd (no database path), or '' when it is not available. */
    influxUrl: string;
    /**
     * URL of the shared PostgreSQL cluster's `postgres` database (superuser, trust), or '' when PostgreSQL is not
     * installed. A test file makes its own empty database: createPostgresDatabase(url, name) in ./postgres.ts.
     */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const teardown = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    if (!influxdAvailable()) {
      if (process.env.REQUIRE_INFLUX === '1') {
        throw new Error(`REQUIRE_INFLUX=1 but influxd was not found at ${influxdBin()}; apt-get install -y influxdb`);
      }
      project.provide('influxUrl', '');
      console.warn(`influxd not found at ${influxdBin()}: the InfluxDB suites will be skipped`);
    } else {
      const influxd = await startInfluxd();
      stops.push(() => influxd.stop());
      project.provide('influxUrl', influxd.url);
    }

    if (!postgresAvailable()) { // throws when REQUIRE_POSTGRES=1
      project.provide('postgresUrl', '');
      console.warn(`PostgreSQL not found in ${postgresBinDir()}: the PostgreSQL suites will be skipped`);
    } else {
      const postgres = await startPostgres();
      stops.push(() => postgres.stop());
      project.provide('postgresUrl', postgres.url);
    }
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
