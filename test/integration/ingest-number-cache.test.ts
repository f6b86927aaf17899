// `ruong ingest` does not keep mqtt-packet's number cache (core/mqtt-packet-numbers.ts): its client sends CONNECT and
// SUBSCRIBE with mqtt-packet's `generate`, whose first call would otherwise fill a cache of 65,536 two-byte Buffers
// (≈ 6 MB of heap for the life of the process). Checked after a real connect and subscribe over TCP, in a file of
// its own (mqtt-packet's module state is per test file).
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { createAckClient, type AckClient } from '../../ingest/ack-client.js';

const require = createRequire(import.meta.url);
const numbers = require('mqtt-packet/numbers.js') as { cache: Record<number, Buffer> };

const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const SUBACK = (id: number) => Buffer.from([0x90, 0x03, id >> 8, id & 0xff, 0x01]);

let client: AckClient | undefined;
afterEach(async () => { await client?.close(); });

describe('the ingest\'s MQTT client', () => {
  it('connects and subscribes without filling mqtt-packet\'s number cache', async () => {
    const received: Buffer[] = [];
    const server = createServer((s) => {
      s.on('data', (chunk: Buffer) => {
        received.push(chunk);
        const all = Buffer.concat(received);
        if (all[0] === 0x10 && received.length === 1) s.write(CONNACK);
        const sub = all.indexOf(0x82); // SUBSCRIBE's fixed header, after the CONNECT
        if (sub > 0 && all.length >= sub + 4) s.write(SUBACK(all.readUInt16BE(sub + 2)));
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      client = createAckClient({
        host: '127.0.0.1', port: (server.address() as AddressInfo).port, clientId: 'ruong-ingest', username: 'ruong-ingest',
        password: 'secret', subscriptions: ['devices/+/up'], log: silentLogger(), onMessage: () => Promise.resolve(),
      });
      await client.connect();
      expect(Buffer.concat(received)[0]).toBe(0x10); // it did write its CONNECT with mqtt-packet
      expect(Object.keys(numbers.cache)).toHaveLength(0);
    } finally {
      server.close();
    }
  });
});
