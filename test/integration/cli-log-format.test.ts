// Issue 16: logs a person reads at a terminal are lines like "20:51:03 INFO  broker  mqtt broker listening";
// piped (or LOG_FORMAT=json) they stay one JSON object per line for collectors. The run used here is
// `ruong start` on a port already taken: it logs its start-up, then stops by itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLineSink, createLogger, formatLogLine, prettyLineSink, resolveLogFormat } from '../../core/log.js';
import { linesOf, runCli } from '../helpers/cli-run.js';

// eslint-disable-next-line no-control-regex -- the escape that starts an ANSI colour
const ANSI = /\u001b\[[0-9;]*m/g;
const PRETTY = /^\d\d:\d\d:\d\d (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /;

describe('the readable log format', () => {
  it('writes time, level, service, message and fields; an error shows its message, a system error no stack', () => {
    const time = new Date(2026, 11, 6, 20, 51, 3).getTime();
    expect(formatLogLine(JSON.stringify({ level: 30, time, pid: 1, hostname: 'h', name: 'ruong', service: 'broker', tcp: 1883, persistence: 'memory', msg: 'mqtt broker listening' })))
      .toBe('20:51:03 INFO  broker        mqtt broker listening tcp=1883 persistence=memory\n');
    const err = { type: 'Error', message: 'listen EADDRINUSE: address already in use 0.0.0.0:8080', stack: 'Error: listen EADDRINUSE\n    at Server.setupListenHandle (node:net:1908:16)', code: 'EADDRINUSE', syscall: 'listen' };
    expect(formatLogLine(JSON.stringify({ level: 50, time, name: 'ruong', service: 'api', err, msg: 'service failed to start' })))
      .toBe('20:51:03 ERROR api           service failed to start err="listen EADDRINUSE: address already in use 0.0.0.0:8080"\n');
    const bug = formatLogLine(JSON.stringify({ level: 50, time, name: 'ruong', err: { type: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at f (/app/a.js:1:1)' }, msg: 'failed' }));
    expect(bug).toBe('20:51:03 ERROR ruong         failed err="x is undefined"\n    at f (/app/a.js:1:1)\n');
    expect(formatLogLine('not a log line')).toBe('not a log line');
  });

  it('colours only when asked, and chooses pretty for a terminal and JSON for a pipe unless told', () => {
    const line = JSON.stringify({ level: 40, time: 0, name: 'ruong', msg: 'careful' });
    expect(formatLogLine(line, { color: true })).toMatch(ANSI);
    expect(formatLogLine(line, { color: true }).replace(ANSI, '')).toBe(formatLogLine(line));
    expect([resolveLogFormat('auto', true), resolveLogFormat('auto', false), resolveLogFormat('json', true), resolveLogFormat('pretty', false)])
      .toEqual(['pretty', 'json', 'json', 'pretty']);
  });

  it('stays a non-blocking sink: after EPIPE it stops writing, without throwing', async () => {
    let writes = 0;
    const stream = new Writable({ write(_c, _e, cb) { writes++; cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); } });
    const sink = prettyLineSink(createLineSink(stream));
    const log = createLogger({ destination: sink });
    log.info('one');
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) log.info('more');
    expect(writes).toBe(1);
    expect(sink.dropped()).toBe(5);
  });
});

describe('ruong start log lines', () => {
  let taken: Server;
  let env: () => Record<string, string>;
  const dirs: string[] = [];

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    env = () => {
      const dir = mkdtempSync(join(tmpdir(), 'ruong-logfmt-'));
      dirs.push(dir);
      return { DATA_DIR: dir, HTTP_HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', HTTP_PORT: String(port), MQTT_PORT: '0', MQTT_WS_PORT: '0', DEMO_PASSWORD: 'log-format-test', SIM: 'false' };
    };
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('piped: one JSON object per line', async () => {
    const r = await runCli(['start'], env());
    expect(r.code).toBe(1);
    const lines = linesOf(r.stdout);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(() => JSON.parse(l) as unknown, l).not.toThrow();
  }, 60_000);

  /** `ruong start` with a terminal as stdout (util-linux `script` gives it a pseudo-terminal). */
  function onTerminal(extra: Record<string, string>): Promise<string> {
    const command = `'${process.execPath}' --import tsx cli/main.ts start`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', TERM: 'xterm', ...env(), ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    return new Promise((resolve) => child.once('close', () => resolve(out.replace(/\r/g, ''))));
  }

  it('on a terminal: readable, coloured lines; LOG_FORMAT=json keeps JSON there', async () => {
    const pretty = linesOf(await onTerminal({}));
    const logs = pretty.filter((l) => !l.startsWith('ruong start:'));
    expect(logs.length).toBeGreaterThan(5);
    expect(logs.join('\n')).toMatch(ANSI);
    for (const l of logs) expect(l.replace(ANSI, '')).toMatch(PRETTY);
    expect(pretty).toContain(`ruong start: HTTP_PORT ${env().HTTP_PORT} is already in use; set HTTP_PORT to a free port`);

    const json = linesOf(await onTerminal({ LOG_FORMAT: 'json' })).filter((l) => !l.startsWith('ruong start:'));
    expect(json.length).toBeGreaterThan(5);
    for (const l of json) expect(() => JSON.parse(l) as unknown, l).not.toThrow();
  }, 90_000);
});
