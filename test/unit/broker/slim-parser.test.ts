// broker/slim-parser.ts: once the CONNECT is parsed the client's parser keeps only what it reads later (not the
// password), and still parses the device's next packets; the writer writes the same bytes without its 65,536-Buffer
// number cache, and never fills that cache.
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import mqtt from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { forgetConnectPacket } from '../../../broker/slim-parser.js';

const requireHere = createRequire(import.meta.url);
const numberCache = (createRequire(requireHere.resolve('mqtt-packet'))('./numbers.js') as { cache: Record<number, Buffer> }).cache;

describe('the parser after CONNECT', () => {
  it('forgets the CONNECT and its password, and parses the next packets as before', () => {
    const client = { _parser: mqtt.parser() as ReturnType<typeof mqtt.parser> & { settings?: unknown } };
    const seen: mqtt.Packet[] = [];
    client._parser.on('packet', (p) => {
      seen.push(p);
      if (p.cmd === 'connect') forgetConnectPacket(client, p); // as Aedes' preConnect does
    });
    client._parser.parse(mqtt.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'd-1', clean: true, keepalive: 60, username: 'd-1', password: Buffer.from('s3cret') }));
    expect(client._parser.settings).toEqual({ protocolVersion: 4, bridgeMode: undefined });
    expect(JSON.stringify(client._parser.settings)).not.toContain('s3cret');
    client._parser.parse(Buffer.concat([
      mqtt.generate({ cmd: 'publish', topic: 'devices/d-1/up', payload: Buffer.from('{"t":21.5}'), qos: 1, messageId: 300, retain: false, dup: false }),
      mqtt.generate({ cmd: 'subscribe', messageId: 8, subscriptions: [{ topic: 'devices/d-1/down', qos: 1 }] }),
    ]));
    expect(seen.map((p) => p.cmd)).toEqual(['connect', 'publish', 'subscribe']);
    expect(seen[1]).toMatchObject({ topic: 'devices/d-1/up', qos: 1, messageId: 300 });
    expect(seen[2]).toMatchObject({ messageId: 8, subscriptions: [{ topic: 'devices/d-1/down', qos: 1 }] });
  });

  it('leaves a parser alone whose settings are not this CONNECT', () => {
    const settings = { protocolVersion: 4, extra: 1 };
    const client = { _parser: { settings } };
    forgetConnectPacket(client, { protocolVersion: 4 });
    expect(client._parser.settings).toBe(settings);
  });
});

describe('the writer without the number cache', () => {
  it('writes packet ids and lengths as before and never fills the cache', () => {
    const out: Buffer[] = [];
    const stream = new PassThrough();
    stream.on('data', (b: Buffer) => out.push(b));
    mqtt.writeToStream({ cmd: 'puback', messageId: 300 }, stream);
    mqtt.writeToStream({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('x'), qos: 1, messageId: 65535, retain: false, dup: false }, stream);
    stream.end();
    expect(Buffer.concat(out)).toEqual(Buffer.from([0x40, 0x02, 0x01, 0x2c, 0x32, 0x08, 0x00, 0x03, 0x61, 0x2f, 0x62, 0xff, 0xff, 0x78]));
    expect(Object.keys(numberCache)).toHaveLength(0);
  });
});

describe('a new parser', () => {
  it('buffers its bytes in a ByteList from the start (no bl stream made and thrown away per connection)', async () => {
    const { ByteList } = await import('../../../broker/byte-list.js');
    const parser = mqtt.parser() as unknown as { _list: unknown; parse(b: Buffer): number; on(e: string, f: (p: { cmd: string }) => void): void };
    expect(parser._list).toBeInstanceOf(ByteList);
    const seen: string[] = [];
    const errors: unknown[] = [];
    parser.on('packet', (p) => seen.push(p.cmd));
    parser.on('error', (e) => errors.push(e));
    parser.parse(Buffer.from([0xc0, 0x00, 0xff, 0x00])); // PINGREQ, then a malformed header
    expect(seen).toEqual(['pingreq']);
    expect(errors).toHaveLength(1);
    parser.parse(Buffer.from([0xc0, 0x00])); // after an error the parser resets its state: a ByteList again
    expect(seen).toEqual(['pingreq', 'pingreq']);
    expect(parser._list).toBeInstanceOf(ByteList);
  });
});
