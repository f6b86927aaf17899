// A longer fuzz soak of the broker than the test suite's 100k packets (test/integration/broker-fuzz.test.ts):
//   node --import tsx bench/broker-fuzz/run.ts [mutatedPackets=1000000] [sockets=8]
// Starts the real platform in this process, sends mutated packets (seeded, from mqtt-packet `generate`) over
// raw TCP sockets that reconnect as the broker closes them, and prints throughput, CPU, the heap before and
// after (after gc) and which spec rules and limits closed connections. A command, not a test.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { metricValue, provision } from '../../test/helpers/broker-witness.js';
import { fuzzSession, prng } from '../../test/helpers/mqtt-fuzz.js';
import { startTestPlatform } from '../../test/helpers/platform.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => { gc(); gc(); return process.memoryUsage().heapUsed / 1_048_576; };

const target = Number(process.argv[2] ?? 1_000_000);
const sockets = Number(process.argv[3] ?? 8);
const p = await startTestPlatform({ MQTT_CONNECT_RATE: '0', MQTT_PUBLISH_RATE: '0', MQTT_CONNECT_TIMEOUT_S: '2' });
const port = p.mqttPort();
const devices: { id: string; secret: string }[] = [];
for (let i = 0; i < sockets; i++) devices.push({ id: `fuzz-${i}`, secret: await provision(p, `fuzz-${i}`) });
const count = { mutated: 0, sessions: 0 };

/** One fuzz connection (test/helpers/mqtt-fuzz.ts), counted. */
async function session(rand: () => number, device: { id: string; secret: string }): Promise<void> {
  await fuzzSession(port, rand, device, count);
  count.sessions++;
}

const warm = prng(1);
for (let i = 0; i < 100; i++) await session(warm, devices[i % sockets]!);
const before = heapMb();
const cpu0 = process.cpuUsage();
const t0 = Date.now();
await Promise.all(devices.map(async (device, i) => {
  const rand = prng(0x5eed_2026 + 100 + i);
  while (count.mutated < target) await session(rand, device);
}));
const wallS = (Date.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
while ((await metricValue(p, 'ruong_mqtt_connected_clients')) > 1) await new Promise((r) => setTimeout(r, 50));
const after = heapMb();
const closes = (await p.metrics.registry.metrics()).split('\n').filter((l) => /^ruong_mqtt_(protocol_violations|limit_hits)_total\{/.test(l));
console.log(`mutated packets ${count.mutated} in ${count.sessions} connections, ${wallS.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (broker and fuzzer in one process)`);
console.log(`heap after gc: ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after (${(after - before).toFixed(1)} MB)`);
console.log(closes.join('\n'));
await p.close();
