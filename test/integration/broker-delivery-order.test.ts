// Our broker (O(1) emitter, indexed outgoing queues, our hooks) delivers every QoS 1 message from many
// devices exactly once and in each device's order to a persistent subscriber, as the ingest relies on —
// with real mqtt.js clients, and with the load generator the benchmark uses (firmware-sim/loadgen.ts).
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerService, type BrokerService } from '../../broker/broker-service.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { runLoad } from '../../firmware-sim/loadgen.js';

const SECRET = 'delivery-order-secret';
let broker: BrokerService;
let url: string;

beforeAll(async () => {
  broker = createBrokerService({
    auth: { verifyDevice: (_id, s) => Promise.resolve(s === SECRET), verifyService: (_n, s) => Promise.resolve(s === SECRET) },
    log: silentLogger(), metrics: createMetrics(), host: '127.0.0.1', port: 0,
  });
  await broker.start();
  url = `mqtt://127.0.0.1:${broker.addresses().tcp}`;
});
afterAll(async () => { await broker?.stop(); });

const ingest = { username: 'ruong-ingest', password: SECRET };

describe('QoS 1 delivery through our broker', () => {
  it('1,000 messages from 50 devices arrive exactly once and in per-device order', async () => {
    const devices = 50;
    const perDevice = 20;
    const subscriber = await mqtt.connectAsync(url, { clientId: 'ruong-ingest-order', clean: false, ...ingest, reconnectPeriod: 0 });
    const received = new Map<string, number[]>();
    subscriber.on('message', (topic, payload) => {
      const list = received.get(topic) ?? [];
      list.push((JSON.parse(payload.toString()) as { seq: number }).seq);
      received.set(topic, list);
    });
    await subscriber.subscribeAsync('devices/+/up', { qos: 1 });
    const clients: MqttClient[] = await Promise.all(Array.from({ length: devices }, (_, i) =>
      mqtt.connectAsync(url, { clientId: `order-${i}`, username: `order-${i}`, password: SECRET, reconnectPeriod: 0 })));
    // Every device fires all its messages without waiting: the broker sees them interleaved.
    await Promise.all(clients.flatMap((c, i) => Array.from({ length: perDevice }, (_, seq) =>
      c.publishAsync(`devices/order-${i}/up`, JSON.stringify({ seq, readings: { soil_moisture: 20 } }), { qos: 1 }))));
    const total = () => [...received.values()].reduce((n, l) => n + l.length, 0);
    for (let waited = 0; total() < devices * perDevice && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // a duplicate would arrive now
    expect(total()).toBe(devices * perDevice);
    for (let i = 0; i < devices; i++) expect(received.get(`devices/order-${i}/up`)).toEqual(Array.from({ length: perDevice }, (_, s) => s));
    await Promise.all([...clients, subscriber].map((c) => c.endAsync()));
  });

  it('the load generator counts the same: all acknowledged messages delivered, none twice, none reordered', async () => {
    const result = await runLoad({
      host: '127.0.0.1', port: broker.addresses().tcp, devices: 40, messagesPerDevice: 25, qos: 1, window: 10,
      device: (i) => ({ clientId: `load-${i}`, username: `load-${i}`, password: SECRET }),
      subscriber: { clientId: 'ruong-ingest-load', ...ingest }, idleTimeoutMs: 5000,
    });
    expect(result).toMatchObject({ completed: true, delivered: 1000, acked: 1000, lostAcked: 0, duplicates: 0, outOfOrder: 0, unknown: 0, errors: 0 });
  });
});
