// Seconds from running a start command until its banner ("Stop with Ctrl-C.") is out, on a new DATA_DIR and free
// ports; then the platform is stopped (SIGINT). For the figures of `npm start` with and without a build (issue 16):
//   node scripts/time-to-banner.mjs npm start
//   node scripts/time-to-banner.mjs sh -c 'npm run build && node dist/cli/main.js start'   # what npm start did before
//   node scripts/time-to-banner.mjs node dist/cli/main.js start
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/time-to-banner.mjs <command> [args…]');
  process.exit(2);
}
const dataDir = mkdtempSync(join(tmpdir(), 'ruong-banner-'));
const env = { ...process.env, DATA_DIR: dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_WS_PORT: '0', DEMO_PASSWORD: 'time-to-banner' };
const started = performance.now();
// Its own process group, so that SIGINT reaches the platform under npm / sh too.
const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
let seen = false;
const watch = (chunk) => {
  output += chunk;
  if (seen || !output.includes('Stop with Ctrl-C.')) return;
  seen = true;
  console.log(`${((performance.now() - started) / 1000).toFixed(2)} s to the banner: ${[command, ...args].join(' ')}`);
  process.kill(-child.pid, 'SIGINT');
};
child.stdout.on('data', watch);
child.stderr.on('data', watch);
child.on('exit', (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  if (!seen) {
    console.error(`exited (${code}) before its banner:\n${output.slice(-2000)}`);
    process.exit(1);
  }
});
