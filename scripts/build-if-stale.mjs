// `npm start` builds only when the sources changed (issue 16): `tsc` takes 11–44 s on this machine, starting
// the built platform ~1.3 s. dist/ is stale when a file it is built from — the *.ts under tsconfig.build.json's
// "include" (and those directories themselves: a deleted or renamed file changes its directory), the dashboard
// files api/web/public, tsconfig*.json, package.json, package-lock.json, scripts/copy-assets.mjs — is newer than
// the stamp written after the last successful build. The stamp carries the time the build STARTED, so a file
// saved during a build is built again next time. `git pull` writes the files it changes with the current time:
// they are newer than the stamp, so dist/ is rebuilt.
//   node scripts/build-if-stale.mjs            build if stale, then exit 0 (non-zero if the build failed)
//   node scripts/build-if-stale.mjs --check    print "fresh" or "stale: <why>" and exit 0 / 1 without building
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAMP = 'dist/.build-stamp';
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', 'scripts/copy-assets.mjs'];
const ASSET_DIRS = ['api/web/public'];
const SKIP = new Set(['node_modules', 'dist', '.git']);

/** The source directories the build compiles: tsconfig.build.json "include". */
export function sourceDirs(root) {
  try {
    const include = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')).include;
    if (Array.isArray(include) && include.length > 0) return include;
  } catch {
    // no readable tsconfig.build.json: the layout of the repository
  }
  return ['core', 'broker', 'ingest', 'rules', 'api', 'firmware-sim', 'cli'];
}

/** Every input's path and mtime: *.ts (all files under the asset dirs), the directories walked, the config files. */
export function* inputs(root) {
  function* walk(dir, all) {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    yield dir;
    for (const e of entries) {
      if (SKIP.has(e.name)) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) yield* walk(path, all);
      else if (all || e.name.endsWith('.ts')) yield path;
    }
  }
  for (const dir of sourceDirs(root)) yield* walk(dir, false);
  for (const dir of ASSET_DIRS) yield* walk(dir, true);
  for (const file of FILES) if (existsSync(join(root, file))) yield file;
}

/**
 * Whether dist/ under `root` must be built: { stale: false } when the stamp is newer than every input,
 * else { stale: true, reason } naming the first newer input (or the missing stamp / entry point).
 */
export function staleness(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return { stale: true, reason: `no ${STAMP} (never built here)` };
  if (!existsSync(join(root, 'dist/cli/main.js'))) return { stale: true, reason: 'dist/cli/main.js is missing' };
  const builtAt = statSync(stamp).mtimeMs;
  for (const path of inputs(root)) {
    if (statSync(join(root, path)).mtimeMs > builtAt) return { stale: true, reason: `${path} changed since the last build` };
  }
  return { stale: false };
}

/** Marks dist/ under `root` as built from the inputs as they were at `startedMs`. */
export function writeStamp(root, startedMs) {
  const stamp = join(root, STAMP);
  closeSync(openSync(stamp, 'w'));
  utimesSync(stamp, startedMs / 1000, startedMs / 1000);
}

function main() {
  const root = process.cwd();
  const state = staleness(root);
  if (process.argv.includes('--check')) {
    console.log(state.stale ? `stale: ${state.reason}` : 'fresh');
    process.exit(state.stale ? 1 : 0);
  }
  if (!state.stale) return;
  console.log(`Building (${state.reason})…`);
  const startedMs = Date.now();
  const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeStamp(root, startedMs);
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') main();
