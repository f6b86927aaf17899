// Global test setup: starts ONE influxd for the whole run and hands its URL to the test files through
// vitest's provide/inject (`inject('influxUrl')`). Without influxd the InfluxDB suites are skipped, unless
// REQUIRE_INFLUX=1 (CI), in which case the run fails here rather than passing with suites skipped.
import type { TestProject } from 'vitest/node';
import { influxdAvailable, influxdBin, startInfluxd } from './influxd.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the shared influxd (no database path), or '' when it is not available. */
    influxUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!influxdAvailable()) {
    if (process.env.REQUIRE_INFLUX === '1') {
      throw new Error(`REQUIRE_INFLUX=1 but influxd was not found at ${influxdBin()}; apt-get install -y influxdb`);
    }
    project.provide('influxUrl', '');
    console.warn(`influxd not found at ${influxdBin()}: the InfluxDB suites will be skipped`);
    return undefined;
  }
  const influxd = await startInfluxd();
  project.provide('influxUrl', influxd.url);
  return () => influxd.stop();
}
