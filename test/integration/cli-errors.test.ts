// Issue 16: a mistake on the command line or in the environment, or a port already taken, is answered with one
// line naming the option or variable and what is valid — exit 2 for a mistake, 1 for a busy port — never a stack.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linesOf, runCli } from '../helpers/cli-run.js';

const STACK = /^\s+at /m;

describe('ruong: unknown options', () => {
  it.each([
    [['start', '--port', '3000'], /^ruong start: unknown option --port \(settings come from environment variables: HTTP_PORT=8080, MQTT_PORT=1883.*see ruong start --help\)$/],
    [['sim', '--bogus'], /^ruong sim: unknown option --bogus \(valid: --broker --scenario .*--dry-run; see ruong sim --help\)$/],
    [['provision', '--x'], /^ruong provision: unknown option --x \(valid: --field --kind --id --name --dev-eui --profile; see ruong provision --help\)$/],
    [['broker', 'now'], /^ruong broker: unexpected argument "now" \(settings come from environment variables, e.g.: MQTT_PORT=1883.*see ruong broker --help\)$/],
    [['dead-letters', '--limit'], /^ruong dead-letters: --limit needs a value \(see ruong dead-letters --help\)$/],
    [['sim', '--devices', '1', '--format', 'xyz', '--dry-run'], /^ruong sim: --format xyz: must be one of native, senml, thingsboard, chirpstack, tts, mixed$/],
  ])('ruong %j → exit 2 and one line naming the option and what is valid', async (args, line) => {
    const r = await runCli(args, { DATA_DIR: '/nonexistent/ruong-args' });
    expect(r.code).toBe(2);
    expect(linesOf(r.stderr)).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(line);
    expect(r.stdout).toBe(''); // nothing started, nothing logged
  }, 60_000);
});

describe('ruong start: bad environment values', () => {
  it('names each bad variable, the value given and what is valid; secrets are hidden', async () => {
    const r = await runCli(['start'], {
      HTTP_PORT: '70000', SIM_SPEED: 'fast', STORE: 'postgres', DEMO_PASSWORD: 'abc', SMTP_URL: 'smtp//mailer:hunter2@mail', DATA_DIR: '/nonexistent/ruong-env',
    });
    expect(r.code).toBe(2);
    const lines = linesOf(r.stderr);
    expect(lines).toEqual(expect.arrayContaining([
      'ruong start: HTTP_PORT=70000: must be a whole number from 0 to 65535',
      'ruong start: SIM_SPEED=fast: must be a number > 0 and ≤ 100000',
      'ruong start: STORE=postgres: must be one of sqlite, influx',
      'ruong start: DEMO_PASSWORD=(hidden): must be at least 8 characters',
    ]));
    expect(lines.find((l) => l.startsWith('ruong start: SMTP_URL='))).toMatch(/^ruong start: SMTP_URL=\(hidden\): must be smtp:/);
    expect(lines).toHaveLength(5);
    expect(r.stderr).not.toMatch(/hunter2|abc/);
    expect(r.stderr).not.toMatch(STACK);
  }, 60_000);
});

describe('ruong start: a port already in use', () => {
  let taken: Server;
  let port: number;
  const dirs: string[] = [];

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function env(extra: Record<string, string>): Record<string, string> {
    const dir = mkdtempSync(join(tmpdir(), 'ruong-busy-'));
    dirs.push(dir);
    return { DATA_DIR: dir, HTTP_HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: '0', DEMO_PASSWORD: 'busy-port-test', SIM: 'false', ...extra };
  }

  it('HTTP_PORT: one line naming the variable and the port, exit 1, no stack (readable logs too)', async () => {
    const r = await runCli(['start'], env({ HTTP_PORT: String(port), LOG_FORMAT: 'pretty' }));
    expect(r.code).toBe(1);
    expect(linesOf(r.stderr)).toEqual([`ruong start: HTTP_PORT ${port} is already in use; set HTTP_PORT to a free port`]);
    expect(r.stdout).toMatch(/ERROR .*service failed to start err="listen EADDRINUSE/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK);
  }, 60_000);

  it('MQTT_PORT: one line naming the variable and the port, exit 1', async () => {
    const r = await runCli(['start'], env({ MQTT_PORT: String(port) }));
    expect(r.code).toBe(1);
    expect(linesOf(r.stderr)).toEqual([`ruong start: MQTT_PORT ${port} is already in use; set MQTT_PORT to a free port`]);
  }, 60_000);

  it('the same port for two listeners: both variables are named', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
    });
    const r = await runCli(['start'], env({ HTTP_PORT: String(free), MQTT_PORT: String(free) }));
    expect(r.code).toBe(1);
    expect(linesOf(r.stderr)).toEqual([`ruong start: port ${free} is already in use: HTTP_PORT and MQTT_PORT are both ${free}; give each a free port of its own`]);
  }, 60_000);
});
