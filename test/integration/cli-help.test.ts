// Issue 16: `--help` / `-h` on every `ruong` command prints its usage and the environment variables it reads,
// with their defaults, and exits 0 without starting anything — even when the settings would not start.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDocs, configVariables } from '../../core/config.js';
import { commandHelp } from '../../cli/help.js';
import { runCli } from '../helpers/cli-run.js';

/**
 * The variables a command's code reads: `config.NAME` in every module reachable from cli/<command>.ts by relative
 * imports that takes the Config type (core/config.ts) — so a variable added to the code is caught missing from --help.
 */
function variablesReadBy(entry: string): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    if (/import (type )?\{[^}]*\bConfig\b[^}]*\} from '[./]*core\/config\.js'/.test(text)) {
      for (const [, name] of text.matchAll(/\bconfig\.([A-Z][A-Z0-9_]+)/g)) names.add(name!);
    }
    for (const [, rel] of text.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) visit(normalize(join(dirname(file), `${rel!}.ts`)));
  };
  visit(entry);
  return names;
}

/**
 * Read by a module the command imports, but in a function it does not call (the analysis above goes by file):
 * `ruong api` and `ruong provision` use cli/broker-config.ts only for the URLs in credentials, not the broker's
 * limits.
 */
const BROKER_ONLY = ['MQTT_HOST', 'MQTT_TLS_CA', 'MQTT_ALLOW_ANONYMOUS', 'REDIS_URL', 'INGEST_SHARDS', 'MQTT_MAX_PACKET_BYTES', 'MQTT_KEEPALIVE_MAX_S',
  'MQTT_CONNECT_TIMEOUT_S', 'MQTT_DRAIN_TIMEOUT_S', 'MQTT_CONNECT_RATE', 'MQTT_CONNECT_BURST', 'MQTT_PUBLISH_RATE', 'MQTT_PUBLISH_BURST',
  'BROKER_IDLE_COMPACTION'];
const NOT_CALLED: Record<string, string[]> = { api: BROKER_ONLY, provision: BROKER_ONLY };

/** What each command's help must mention: its own name and the variables a user most asks about. */
const expected: Record<string, string[]> = {
  start: ['ruong start', 'HTTP_PORT', 'MQTT_PORT', 'DATA_DIR', 'LOG_FORMAT', 'SIM_SPEED', '[0.0.0.0 / 8080]'],
  broker: ['ruong broker', 'MQTT_PORT', 'REDIS_URL', 'METRICS_PORT', '[0.0.0.0 / 1883]'],
  ingest: ['ruong ingest', 'INGEST_MQTT_URL', 'INGEST_SHARDS', 'STORE', 'DATA_DIR'],
  api: ['ruong api', 'HTTP_PORT', 'SESSION_TTL_H', 'DATA_DIR'],
  rules: ['ruong rules', 'INGEST_MQTT_URL', 'SMTP_URL', 'NOTIFY_MAX_PER_HOUR'],
  provision: ['ruong provision', '--field', '--kind', 'DATA_DIR', 'PUBLIC_HOST'],
  'dead-letters': ['ruong dead-letters', '--limit', 'DATA_DIR'],
  sim: ['ruong sim', '--scenario', '--devices', 'MQTT_PORT', 'PUBLIC_HOST'],
};

describe('ruong <command> --help', () => {
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  // Settings that would make a command fail (a bad value, a busy port): help must neither read nor use them.
  const hostile = () => ({ HTTP_PORT: String(busyPort), MQTT_PORT: String(busyPort), HTTP_HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', SIM_SPEED: 'fast', DATA_DIR: '/nonexistent/ruong-help' });

  it.each(Object.keys(expected))('%s --help prints its usage and variables, exits 0 and starts nothing', async (command) => {
    const r = await runCli([command, '--help'], hostile());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const text of expected[command]!) expect(r.stdout).toContain(text);
    expect(r.stdout).toMatch(/Environment variables it reads/);
    expect(r.stdout).not.toMatch(/"level":|listening|service started/);
  }, 60_000);

  it('-h is --help, also after other options', async () => {
    for (const args of [['start', '-h'], ['provision', '--field', 'f1', '-h']]) {
      const r = await runCli(args, hostile());
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: ruong ${args[0]!}`));
    }
  }, 60_000);

  it('ruong --help lists every command and setting; `ruong help sim` is the command\'s help', { timeout: 60_000 }, async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of [...Object.keys(expected), 'agro']) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(r.stdout).toContain('LOG_FORMAT');
    const sim = await runCli(['help', 'sim']);
    expect(sim.stdout).toMatch(/^Usage: ruong sim/);
  });

  it('names only real variables, every variable a command\'s code reads, and documents every variable', () => {
    const known = [...configVariables];
    for (const [command, help] of Object.entries(commandHelp)) {
      for (const name of help.env) expect(known, `${command} reads ${name}`).toContain(name);
    }
    for (const command of Object.keys(commandHelp)) {
      const listed = commandHelp[command]!.env;
      for (const name of variablesReadBy(`cli/${command}.ts`)) {
        if (!NOT_CALLED[command]?.includes(name)) expect(listed, `ruong ${command} reads ${name}`).toContain(name);
      }
    }
    const documented = configDocs.flatMap(([names]) => names.split(' / '));
    for (const name of known) expect(documented, `${name} is documented`).toContain(name);
  });
});
