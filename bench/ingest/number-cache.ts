// mqtt-packet's number cache in `ruong ingest`'s MQTT client (issue 19; core/mqtt-packet-numbers.ts). The ingest's
// client (ingest/ack-client.ts) connects and subscribes to a minimal scripted broker on loopback, and the process's
// heap and RSS are read, after two forced GCs, before and after. `cache` turns the cache back on first, as before
// the change; `off` is the code as it is. Run each a few times, interleaved, in fresh processes:
//   for i in 1 2 3; do for m in cache off; do node --expose-gc --import tsx bench/ingest/number-cache.ts $m; done; done
import { createServer, type AddressInfo } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { silentLogger } from '../../core/log.js';
import { createAckClient } from '../../ingest/ack-client.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const withCache = process.argv[2] === 'cache';
if (withCache) (mqttPacket.writeToStream as unknown as { cacheNumbers: boolean }).cacheNumbers = true;

// CONNACK 0, then a SUBACK granting QoS 1 for the SUBSCRIBE's packet id.
const server = createServer((s) => {
  let first = true;
  s.on('data', (chunk: Buffer) => {
    if (first) { first = false; s.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); return; }
    const at = chunk.indexOf(0x82);
    if (at >= 0) s.write(Buffer.from([0x90, 0x03, chunk[at + 2]!, chunk[at + 3]!, 0x01]));
  });
  s.on('error', () => undefined);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
gc(); gc();
const before = process.memoryUsage();
const client = createAckClient({
  host: '127.0.0.1', port: (server.address() as AddressInfo).port, clientId: 'bench-ingest', username: 'bench-ingest',
  password: 'x', subscriptions: ['devices/+/up'], log: silentLogger(), onMessage: () => Promise.resolve(),
});
await client.connect();
await new Promise((r) => setTimeout(r, 200));
gc(); gc();
const after = process.memoryUsage();
const mb = (n: number) => (n / 1048576).toFixed(2);
console.log(`number cache ${withCache ? 'on (before)' : 'off (now)'}: heap used +${mb(after.heapUsed - before.heapUsed)} MB, RSS +${mb(after.rss - before.rss)} MB`);
await client.close();
server.close();
