// Issue 16: `npm start` (scripts/build-if-stale.mjs) compiles only when a file dist/ is built from changed
// since the last successful build — and does after a `git pull` that changes a source. Tested on a
// throw-away project in a temporary directory, never on this repository's dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

interface BuildIfStale {
  STAMP: string;
  staleness: (root: string) => { stale: false } | { stale: true; reason: string };
  writeStamp: (root: string, startedMs: number) => void;
}
const SCRIPT = resolve('scripts/build-if-stale.mjs');
const script = async () => (await import(pathToFileURL(SCRIPT).href)) as BuildIfStale;

const HOUR = 3_600_000;
const T0 = Date.now() - 10 * HOUR;

describe('build-if-stale', () => {
  let root: string;

  /** A file at `path` under root, last modified at `ms`. */
  function file(path: string, text = '', ms = T0): void {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
    touch(path, ms);
  }
  function touch(path: string, ms: number): void {
    utimesSync(join(root, path), ms / 1000, ms / 1000);
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ruong-stale-'));
    file('tsconfig.build.json', JSON.stringify({ include: ['core', 'cli'] }));
    file('tsconfig.json', '{}');
    file('package-lock.json', '{}');
    // `npm run build` of this project: writes dist/cli/main.js (and counts its runs).
    file('package.json', JSON.stringify({ name: 'p', scripts: { build: 'node -e "const f=require(\'fs\');f.mkdirSync(\'dist/cli\',{recursive:true});f.writeFileSync(\'dist/cli/main.js\',\'\');f.appendFileSync(\'builds\',\'x\')"' } }));
    file('core/a.ts', 'export const a = 1;');
    file('cli/main.ts', 'import "../core/a.js";');
    file('cli/notes.md', 'not compiled');
    file('api/web/public/app.js', '');
    file('dist/cli/main.js', '');
    for (const dir of ['core', 'cli', 'api/web/public', 'api/web', 'api']) touch(dir, T0);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is stale without a stamp, fresh after one, and stale again once a source, an asset or a tsconfig changes', async () => {
    const { staleness, writeStamp } = await script();
    expect(staleness(root)).toMatchObject({ stale: true, reason: expect.stringMatching(/never built/) as unknown });
    writeStamp(root, T0 + HOUR);
    expect(staleness(root)).toEqual({ stale: false });

    touch('cli/notes.md', T0 + 2 * HOUR); // not an input
    expect(staleness(root)).toEqual({ stale: false });

    for (const input of ['core/a.ts', 'api/web/public/app.js', 'tsconfig.build.json', 'package-lock.json']) {
      writeStamp(root, T0 + HOUR);
      touch(input, T0 + 2 * HOUR); // what `git pull` does to a file it changes: a new mtime
      expect(staleness(root)).toEqual({ stale: true, reason: `${input} changed since the last build` });
      touch(input, T0);
    }
  });

  it('is stale when a source was deleted (its directory changed) or dist/ lost its entry point', async () => {
    const { staleness, writeStamp } = await script();
    writeStamp(root, Date.now() - 1000);
    unlinkSync(join(root, 'core/a.ts'));
    expect(staleness(root)).toEqual({ stale: true, reason: 'core changed since the last build' });
    writeStamp(root, Date.now() + 1000);
    unlinkSync(join(root, 'dist/cli/main.js'));
    expect(staleness(root)).toEqual({ stale: true, reason: 'dist/cli/main.js is missing' });
  });

  it('run as npm start runs it: builds once, skips while nothing changed, builds again after a change', async () => {
    const { STAMP } = await script();
    const run = () => spawnSync(process.execPath, [SCRIPT], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    const builds = () => (existsSync(join(root, 'builds')) ? spawnSync('cat', [join(root, 'builds')], { encoding: 'utf8' }).stdout.length : 0);
    expect(run().status).toBe(0);
    expect(builds()).toBe(1);
    expect(existsSync(join(root, STAMP))).toBe(true);
    expect(run().status).toBe(0);
    expect(builds()).toBe(1);
    file('cli/main.ts', 'import "../core/a.js"; // changed', Date.now()); // newer than the last build's start
    const third = run();
    expect(third.stdout).toMatch(/Building \(cli\/main.ts changed since the last build\)/);
    expect(builds()).toBe(2);
    expect(spawnSync(process.execPath, [SCRIPT, '--check'], { cwd: root, encoding: 'utf8' }).stdout.trim()).toBe('fresh');
  }, 60_000);
});
