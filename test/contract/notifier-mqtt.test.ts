// The Notifier contract for farmer apps: QoS 1 publishes on alerts/{farmId} through the real broker
// (broker/broker-service.ts, Aedes) with the notifier's service credential, to a subscribed app client.
import mqtt, { type MqttClient } from 'mqtt';
import { createServer, type Server, type Socket } from 'node:net';
import { NOTIFIER_SERVICE } from '../../broker/acl.js';
import { createBrokerService, type BrokerService } from '../../broker/broker-service.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createMqttNotifier } from '../../rules/notify/mqtt.js';
import { notifierContract, type Received } from './notifier.contract.js';

const SECRET = 'notifier-secret-for-tests';

notifierContract('mqtt (alerts/{farmId} QoS 1 → Aedes → app subscriber)', async () => {
  let port = 0;
  let broker: BrokerService | undefined;
  let silent: Server | undefined;
  const silentSockets = new Set<Socket>();
  const got: Received[] = [];
  const startBroker = async () => {
    broker = createBrokerService({
      auth: { verifyDevice: () => Promise.resolve(false), verifyService: (name, secret) => Promise.resolve(name === NOTIFIER_SERVICE && secret === SECRET) },
      log: silentLogger(), metrics: createMetrics(), host: '127.0.0.1', port, allowAnonymous: true,
    });
    await broker.start();
    port = broker.addresses().tcp;
  };
  await startBroker();
  const app: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'farmer-app-1', reconnectPeriod: 100 });
  app.on('error', () => undefined); // refused while the broker restarts; the app retries like a phone would
  app.on('message', (_topic, payload) => {
    const body = JSON.parse(payload.toString()) as { id: string };
    got.push({ key: body.id, text: payload.toString() });
  });
  await app.subscribeAsync('alerts/#', { qos: 1 });
  let subscribed = 0;
  app.on('connect', () => { void app.subscribeAsync('alerts/#', { qos: 1 }).then(() => { subscribed++; }, () => undefined); });
  /** The broker is back and the app subscribed again (a new in-memory broker has no session to keep). */
  const up = async () => {
    const before = subscribed;
    await startBroker();
    for (let i = 0; i < 100 && subscribed === before; i++) await new Promise((r) => setTimeout(r, 50));
  };
  const down = async () => {
    await broker?.stop();
    broker = undefined;
  };
  /** Settles when no new message arrived for 150 ms (QoS 1 delivery to the app follows the PUBACK). */
  const quiet = async () => {
    let n = -1;
    while (n !== got.length) { n = got.length; await new Promise((r) => setTimeout(r, 150)); }
    return [...got];
  };
  return {
    notifier: createMqttNotifier({ url: () => `mqtt://127.0.0.1:${port}`, username: NOTIFIER_SERVICE, password: SECRET, clientId: NOTIFIER_SERVICE, connectTimeoutMs: 2_000 }),
    message: (key, text) => ({ channel: 'mqtt', key, topic: 'alerts/farm-mekong', payload: { id: key, detail: { vi: text } } }),
    received: async () => {
      for (let i = 0; i < 60 && !app.connected; i++) await new Promise((r) => setTimeout(r, 50));
      return quiet();
    },
    down,
    up,
    // A TCP listener that accepts and never sends CONNACK stands in for a broker that does not answer.
    hang: async () => {
      await down();
      silent = createServer((s) => { silentSockets.add(s); });
      await new Promise<void>((resolve) => silent!.listen(port, '127.0.0.1', resolve));
    },
    refuse: () => undefined,
    accept: () => undefined,
    close: async () => {
      for (const s of silentSockets) s.destroy();
      silent?.close();
      await app.endAsync(true);
      await down();
    },
  };
}, { permanentRefusal: false });
