// A "witness" device for broker tests: a well-behaved device that keeps publishing (QoS 1, mqtt.js) while
// other connections are closed for limits or malformed packets; its readings must all be stored.
import type { MqttClient } from 'mqtt';
import { connectDevice, eventually, type TestPlatform } from './platform.js';

export const METRIC = 'soil_moisture@20cm';
// An hour ago, to the second: readings are recent (inside raw retention) and never in the future.
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

export interface Witness {
  readonly deviceId: string;
  /** Publishes one reading and waits for its PUBACK; returns how many it has sent so far. */
  publish(): Promise<number>;
  /** Waits until every reading it sent is stored (and fails after the timeout). */
  allStored(): Promise<number>;
  end(): Promise<void>;
}

/** Counts the stored readings of a device (SQLite/Influx alike, through the ReadingStore). */
export async function storedCount(p: TestPlatform, deviceId: string, from = T0, to = T0 + 3_600_000): Promise<number> {
  const points = await p.store.query({ cooperativeId: 'coop-demo', deviceId, metric: METRIC, from, to, limit: 100_000 });
  return points.length;
}

export function reading(seq: number): string {
  return JSON.stringify({ ts: T0 + seq * 1000, seq, readings: { [METRIC]: 20 + (seq % 10) } });
}

export async function provision(p: TestPlatform, deviceId: string, fieldId = 'field-coffee-a'): Promise<string> {
  return (await p.registry.provisionDevice({ id: deviceId, fieldId, kind: 'soil_probe', name: deviceId })).secret;
}

export async function startWitness(p: TestPlatform, deviceId = 'witness'): Promise<Witness> {
  const secret = await provision(p, deviceId);
  const client: MqttClient = await connectDevice(p.mqttUrl, deviceId, secret);
  let sent = 0;
  return {
    deviceId,
    async publish() {
      sent++;
      await client.publishAsync(`devices/${deviceId}/up`, reading(sent), { qos: 1 });
      return sent;
    },
    allStored: () => eventually(async () => ((await storedCount(p, deviceId)) === sent ? sent : undefined), 10_000, `${sent} witness readings stored`),
    end: () => client.endAsync(),
  };
}

/** The value of a Prometheus counter (with labels written exactly as in the exposition), or 0. */
export async function metricValue(p: TestPlatform, name: string): Promise<number> {
  const text = await p.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}
