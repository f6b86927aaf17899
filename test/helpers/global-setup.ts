// Global test setup: starts shared real servers once per run (see test/helpers/influxd.ts).
export default function setup(): void {}
