// Fuzzing the broker with at least 100,000 mutated packets derived from valid ones (mqtt-packet `generate`,
// seeded mutations), over several raw TCP sockets that reconnect as the broker closes them. The broker stays
// up, a valid device keeps publishing and all its readings are stored, and memory returns near its baseline.
// A longer soak belongs in bench/, not here.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, provision, reading, startWitness, storedCount, type Witness } from '../helpers/broker-witness.js';
import { fuzzSession, prng } from '../helpers/mqtt-fuzz.js';
import { connectDevice, eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const MUTATED_TARGET = 100_000;
const SOCKETS = 8;
const SEED = 0x5eed_2026;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('broker fuzz', () => {
  let p: TestPlatform;
  let witness: Witness;
  const devices: { id: string; secret: string }[] = [];

  beforeAll(async () => {
    // No connection or publish rate limit here: the point is to reach the parser and Aedes as often as possible.
    p = await startTestPlatform({ MQTT_CONNECT_RATE: '0', MQTT_PUBLISH_RATE: '0', MQTT_CONNECT_TIMEOUT_S: '2' });
    witness = await startWitness(p);
    for (let i = 0; i < SOCKETS; i++) devices.push({ id: `fuzz-${i}`, secret: await provision(p, `fuzz-${i}`) });
  });
  afterAll(async () => {
    await witness?.end();
    await p?.close();
  });

  it('survives 100k mutated packets: the broker stays up, a valid device keeps publishing, memory returns near its baseline', async () => {
    const warmup = { mutated: 0 };
    const warmRand = prng(SEED + 1);
    const port = p.mqttPort();
    for (let i = 0; i < 100; i++) await fuzzSession(port, warmRand, devices[i % SOCKETS]!, warmup);
    const baseline = heapUsed();

    const count = { mutated: 0 };
    let fuzzing = true;
    const witnessLoop = (async () => {
      while (fuzzing) {
        await witness.publish();
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await Promise.all(devices.map(async (device, i) => {
      const rand = prng(SEED + 100 + i);
      while (count.mutated < MUTATED_TARGET) await fuzzSession(port, rand, device, count);
    }));
    fuzzing = false;
    await witnessLoop;

    expect(count.mutated).toBeGreaterThanOrEqual(MUTATED_TARGET);
    expect(await witness.allStored()).toBeGreaterThan(5);
    // Every fuzz connection is gone: only the ingest and the witness remain.
    await eventually(async () => ((await metricValue(p, 'ruong_mqtt_connected_clients')) === 2 ? true : undefined), 10_000, 'fuzz connections closed');
    const grownMb = (heapUsed() - baseline) / 1024 / 1024;
    expect(grownMb).toBeLessThan(50);

    // A new device still connects and is served.
    const secret = await provision(p, 'after-fuzz');
    const device = await connectDevice(p.mqttUrl, 'after-fuzz', secret);
    await device.publishAsync('devices/after-fuzz/up', reading(1), { qos: 1 });
    await device.endAsync();
    await eventually(async () => ((await storedCount(p, 'after-fuzz')) === 1 ? true : undefined));
  }, 60_000);
});
