// Runs `ruong start` as a real child process (the README's command, through tsx so the sources
// are tested), on free ports in a temporary DATA_DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './influxd.js';

export interface ChildPlatform {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly baseUrl: string;
  readonly mqttUrl: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startChildPlatform(env: Record<string, string>, dataDir = mkdtempSync(join(tmpdir(), 'ruong-child-'))): Promise<ChildPlatform> {
  const [http, mqtt] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start'], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(http), MQTT_HOST: '127.0.0.1', MQTT_PORT: String(mqtt), MQTT_WS_PORT: '0', PUBLIC_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 30_000;
  // The banner's last line: its lines reach the pipe one by one (stdout is written without blocking).
  while (!out.includes('Stop with Ctrl-C.')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`ruong start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, dataDir, baseUrl: `http://127.0.0.1:${http}`, mqttUrl: `mqtt://127.0.0.1:${mqtt}`, output: () => out, exited };
}
