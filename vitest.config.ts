import { defineConfig } from 'vitest/config';
import { postgresAvailable } from './test/helpers/postgres.js';

/** The API suites that build their app on test/helpers/api-fixture.ts (its registry engine is chosen by env). */
const apiFixtureSuites = [
  'test/integration/api-accounts.test.ts', 'test/integration/api-login-lockout.test.ts', 'test/integration/api-readings.test.ts',
  'test/integration/api-roles.test.ts', 'test/integration/api-rules.test.ts', 'test/integration/api-tenancy.test.ts',
  'test/integration/api-validation.test.ts', 'test/integration/irrigation-api.test.ts', 'test/integration/sms-reply.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real servers (influxd, brokers); keep CPU contention sane on 2 cores.
    maxWorkers: 2,
    projects: [
      { extends: true as const, test: { name: 'ruong', include: ['test/**/*.test.ts'] } },
      // Issue 18: the same API suites again with the registry on PostgreSQL (every route, roles and tenancy included).
      // Present wherever PostgreSQL is installed; REQUIRE_POSTGRES=1 (CI) makes a missing one an error, not a skip.
      ...(postgresAvailable()
        ? [{ extends: true as const, test: { name: 'api-on-postgres', include: apiFixtureSuites, env: { API_TEST_REGISTRY: 'postgres' } } }]
        : []),
    ],
  },
});
