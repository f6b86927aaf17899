// broker/quiet-packet-debug.ts loads mqtt-packet's parser with a `bl` that loads the real one only when first called:
// with broker/slim-parser.ts (as the broker runs) no parser ever calls it and `bl` with its `readable-stream` is never
// loaded; without it, a parser gets the real BufferListStream and parses as before. In a fresh process each: which
// modules a process has loaded is process-wide.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

function run(code: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

// After the broker's modules are imported, as in the broker (mqtt-packet must not be loaded before them).
const common = `
const { createRequire } = await import('node:module');
const require = createRequire(process.cwd() + '/package.json');
const loaded = () => Object.keys(require.cache).filter((f) => /node_modules\\/(bl|readable-stream)\\//.test(f));
const mqtt = require('mqtt-packet');
const connect = mqtt.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'd-1', clean: true, keepalive: 60, username: 'd-1', password: Buffer.from('s') });
const parsed = (parser) => { const seen = []; parser.on('packet', (p) => seen.push(p.cmd + ':' + p.clientId)); parser.parse(connect); return seen; };
`;

describe('mqtt-packet loaded by the broker', () => {
  it('never loads bl or readable-stream with the slim parser', () => {
    const r = run(`await import('./broker/quiet-packet-debug.ts');
await import('./broker/slim-parser.ts');
${common}
const parser = mqtt.parser();
console.log(JSON.stringify({ seen: parsed(parser), list: parser._list.constructor.name, loaded: loaded() }));`);
    expect(r).toEqual({ seen: ['connect:d-1'], list: 'ByteList', loaded: [] });
  });

  it('gives a parser without the slim parser the real bl at its first call', () => {
    const r = run(`await import('./broker/quiet-packet-debug.ts');
${common}
const before = loaded();
const parser = mqtt.parser();
const bl = require('bl');
console.log(JSON.stringify({ before, seen: parsed(parser), isBl: bl.isBufferList(parser._list), realExport: typeof bl.BufferListStream, after: loaded().length > 0 }));`);
    expect(r).toEqual({ before: [], seen: ['connect:d-1'], isBl: true, realExport: 'function', after: true });
  });
});
