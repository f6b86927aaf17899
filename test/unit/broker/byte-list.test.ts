// broker/byte-list.ts answers as `bl`'s BufferList (the parser buffer mqtt-packet was written for) for every
// method mqtt-packet's parser calls, over random appends and consumes; and the parser reads packets split
// anywhere across TCP reads through it.
import { createRequire } from 'node:module';
import mqtt from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { ByteList } from '../../../broker/byte-list.js';
import { slimParser } from '../../../broker/slim-parser.js';

const requireHere = createRequire(import.meta.url);
type Bl = { length: number; append(b: Buffer): void; consume(n: number): void; slice(s?: number, e?: number): Buffer; toString(enc: string, s?: number, e?: number): string; readUInt8(i: number): number; readUInt16BE(i: number): number; readUInt32BE(i: number): number };
const BufferList = (createRequire(requireHere.resolve('mqtt-packet'))('bl') as { BufferList: new () => Bl }).BufferList;

describe('ByteList', () => {
  it('answers like bl over random appends, consumes, reads, slices and strings', () => {
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n);
    const ours = new ByteList();
    const theirs = new BufferList();
    const outcome = (f: () => unknown): unknown => { try { return f(); } catch (err) { return (err as Error).constructor.name; } };
    for (let step = 0; step < 5_000; step++) {
      const op = rnd(7);
      if (op === 0 || ours.length < 8) {
        const buf = Buffer.from(Array.from({ length: rnd(9) }, () => rnd(256)));
        ours.append(buf);
        theirs.append(buf);
      } else if (op === 1) {
        const n = rnd(ours.length + 2); // sometimes more than is there
        ours.consume(n);
        theirs.consume(n);
      } else {
        // The parser reads and slices forward ranges from a non-negative position, sometimes past the end.
        const i = rnd(ours.length + 3);
        const j = i + rnd(ours.length + 3 - i);
        for (const m of ['readUInt8', 'readUInt16BE', 'readUInt32BE'] as const) expect(outcome(() => ours[m](i)), m).toEqual(outcome(() => theirs[m](i)));
        expect(ours.slice(i, j)).toEqual(theirs.slice(i, j));
        expect(ours.toString('utf8', i, j)).toBe(theirs.toString('utf8', i, j));
        expect(ours.toString('hex', i, j)).toBe(theirs.toString('hex', i, j));
      }
      expect(ours.length).toBe(theirs.length);
    }
  });

  it('lets mqtt-packet parse packets split across reads at every byte', () => {
    const packets = [
      mqtt.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'd-1', clean: true, keepalive: 60, username: 'd-1', password: Buffer.from('s') }),
      mqtt.generate({ cmd: 'publish', topic: 'devices/d-1/up', payload: Buffer.from('{"t":21.5}'), qos: 1, messageId: 7, retain: false, dup: false }),
      mqtt.generate({ cmd: 'subscribe', messageId: 8, subscriptions: [{ topic: 'devices/d-1/down', qos: 1 }] }),
      mqtt.generate({ cmd: 'pingreq' }),
    ];
    const bytes = Buffer.concat(packets);
    for (let cut = 1; cut < bytes.length; cut++) {
      const client = { _parser: mqtt.parser() as unknown as { _list: { length: number } } & ReturnType<typeof mqtt.parser> };
      slimParser(client);
      expect(client._parser._list).toBeInstanceOf(ByteList);
      const seen: unknown[] = [];
      client._parser.on('packet', (p) => seen.push(p));
      client._parser.parse(bytes.subarray(0, cut));
      client._parser.parse(bytes.subarray(cut));
      expect(seen.map((p) => (p as { cmd: string }).cmd)).toEqual(['connect', 'publish', 'subscribe', 'pingreq']);
      expect((seen[1] as { payload: Buffer }).payload.toString()).toBe('{"t":21.5}');
      expect((seen[1] as { topic: string }).topic).toBe('devices/d-1/up');
    }
  });
});
