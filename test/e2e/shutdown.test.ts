// Issue 14: `ruong start` stops on SIGINT/SIGTERM within 10 s whatever its clients and its output pipe do —
// with a dashboard's live-update stream (SSE) and a keep-alive connection open, with stdout piped into
// something that closed it after 3 lines (`ruong start | head -3`), and a second signal exits at once.
// The oracle is what the user sees: the process is gone, its HTTP clients see their streams end.
import { spawn } from 'node:child_process';
import { request, Agent, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildPlatform, type ChildPlatform } from '../helpers/child-platform.js';
import { freePort } from '../helpers/influxd.js';
import { eventually, login } from '../helpers/platform.js';

const PROMISE_MS = 10_000;
const children: { kill(signal: NodeJS.Signals): boolean; exitCode: number | null; signalCode: NodeJS.Signals | null }[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function platform(env: Record<string, string> = {}): Promise<ChildPlatform> {
  const p = await startChildPlatform({ DEMO_PASSWORD: 'shutdown-test', SIM_SPEED: '600', ...env });
  children.push(p.child);
  dirs.push(p.dataDir);
  return p;
}

/** An SSE client like the dashboard's EventSource: resolves with the response once the stream is open. */
function openEvents(baseUrl: string, token: string): Promise<{ res: IncomingMessage; ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      const ended = new Promise<string>((done) => {
        res.once('end', () => done('end'));
        res.once('error', () => done('error'));
        res.once('close', () => done('close'));
      });
      res.resume();
      resolve({ res, ended });
    });
    req.once('error', reject);
    req.end();
  });
}

/** A keep-alive connection left idle in the agent's pool after one request, as a browser keeps it. */
async function keepAlive(baseUrl: string): Promise<Agent> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  await new Promise<void>((resolve, reject) => {
    request(`${baseUrl}/healthz`, { agent }, (res) => { res.resume(); res.once('end', () => resolve()); }).once('error', reject).end();
  });
  return agent;
}

async function exitWithin(exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, from: number) {
  const result = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), PROMISE_MS + 5_000))]);
  return { result, ms: Date.now() - from };
}

describe('ruong start shutdown', () => {
  it('exits on SIGINT within 10 s with an SSE stream and a keep-alive connection open; the stream ends', async () => {
    const p = await platform();
    const token = await login(p.baseUrl, 'demo', 'shutdown-test');
    const events = await openEvents(p.baseUrl, token);
    expect(events.res.headers['content-type']).toMatch(/text\/event-stream/);
    const agent = await keepAlive(p.baseUrl);

    const from = Date.now();
    p.child.kill('SIGINT');
    const { result, ms } = await exitWithin(p.exited, from);
    expect(result).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(PROMISE_MS);
    expect(await events.ended).toBe('end'); // a clean end of the stream, not a reset
    agent.destroy();
  }, 60_000);

  it('keeps answering and exits on SIGTERM within 10 s after its stdout pipe was closed (`| head -3`)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ruong-head3-'));
    dirs.push(dataDir);
    const [http, mqtt] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), MQTT_HOST: '127.0.0.1', MQTT_PORT: String(mqtt), MQTT_WS_PORT: '0', PUBLIC_HOST: '127.0.0.1', LOG_LEVEL: 'info', DEMO_PASSWORD: 'shutdown-test', SIM_SPEED: '600' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    // Like `head -3`: read three lines, then close the pipe; every later write of the child meets EPIPE.
    await new Promise<void>((resolve) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.split('\n').length > 3) { child.stdout.destroy(); resolve(); }
      });
    });
    const base = `http://127.0.0.1:${http}`;
    // It comes up and keeps logging (start-up, the simulator's readings) into the closed pipe, and still answers.
    await eventually(async () => ((await fetch(`${base}/healthz`).catch(() => undefined))?.ok ? true : undefined), 30_000, 'healthz');
    const token = await login(base, 'demo', 'shutdown-test');
    expect((await fetch(`${base}/api/v1/fields`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(child.exitCode).toBeNull();

    const from = Date.now();
    child.kill('SIGTERM');
    const { result, ms } = await exitWithin(exited, from);
    expect(result).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(PROMISE_MS);
  }, 60_000);

  it('exits at once on a second signal while the first shutdown waits for a request that never finishes', async () => {
    const p = await platform({ LOG_LEVEL: 'info' });
    // A request whose body never arrives keeps its connection busy: the first shutdown waits for it.
    const stuck = request(`${p.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000' } });
    stuck.once('error', () => undefined);
    stuck.write('{"username":');
    await new Promise((r) => setTimeout(r, 300));

    p.child.kill('SIGTERM');
    await eventually(() => Promise.resolve(p.output().includes('shutting down') ? true : undefined), PROMISE_MS, 'the first shutdown');
    const from = Date.now();
    p.child.kill('SIGINT');
    const { result, ms } = await exitWithin(p.exited, from);
    expect(result).toEqual({ code: 130, signal: null }); // 128 + SIGINT: the second signal, not the first shutdown
    expect(ms).toBeLessThan(PROMISE_MS);
    stuck.destroy();
  }, 60_000);
});
