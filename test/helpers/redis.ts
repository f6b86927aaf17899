// Starts a private redis-server (Debian `redis-server`) for a test: a free loopback port, a temporary
// directory, no RDB/AOF files. Without the binary the Redis suites are skipped, unless REQUIRE_REDIS=1
// (CI), where a missing redis-server fails the run.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './influxd.js';

export const redisServerPath = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export function redisAvailable(): boolean {
  try {
    accessSync(redisServerPath, constants.X_OK);
    return true;
  } catch {
    if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but redis-server was not found at ${redisServerPath}; apt-get install -y redis-server`);
    return false;
  }
}

export interface RedisServer {
  readonly url: string;
  /** Sends one inline command (e.g. `LLEN key`) and resolves with the raw reply line. */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('redis did not answer')));
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.endsWith('\r\n')) { socket.end(); resolve(reply.trim()); }
    });
    socket.on('error', reject);
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ruong-redis-'));
  const port = await freePort();
  const child = spawn(redisServerPath, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', ''], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${stderr}`);
    if ((await command(port, 'PING').catch(() => '')) === '+PONG') break;
    if (Date.now() > deadline) { await stop(); throw new Error(`redis-server did not answer PING: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, command: (line) => command(port, line), stop };
}
