// MQTT 3.1.1 where Aedes 1.2 (or our broker around it) did not follow it (issue 14), against the real broker
// over TCP with raw packets (test/helpers/mqtt-wire.ts), in memory and with Redis persistence. The same cases
// fail Mosquitto's broker test suite (v2.0.11) as named below; the adaptation is in broker/mqtt311.ts.
// - keepalive 0 is accepted (§3.1.2.10) and an idle connection is bounded by the server's own limit;
// - Session Present is 1 whenever a CleanSession = 0 session exists, with or without subscriptions
//   (MQTT-3.2.2-2; Mosquitto 02-subpub-qos2-1322, 07-will-takeover, 07-will-reconnect-1273);
// - a QoS 1/2 PUBLISH sent again to a reconnecting client has DUP = 1 (MQTT-3.3.1-1; 03-publish-b2c-disconnect-qos1/2);
// - `+` matches an empty level (§4.7.1.1, §4.7.1.3 "sport/+" matches "sport/") for retained messages and
//   for the messages queued for a persistent session too, as it already did for live delivery.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerService, type BrokerService } from '../../broker/broker-service.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { mqttClientsAvailable, pahoPython } from '../helpers/mqtt-clients.js';
import { connectWire, publishOf, subscribeWire, type WireSession } from '../helpers/mqtt-wire.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

const KEEPALIVE_MAX_S = 2;

function brokerWith(redisUrl: string | undefined, keepaliveMaxS = 1200): BrokerService {
  return createBrokerService({
    auth: { verifyDevice: () => Promise.resolve(false), verifyService: () => Promise.resolve(false) },
    log: silentLogger(), metrics: createMetrics(), host: '127.0.0.1', port: 0, allowAnonymous: true, redisUrl,
    limits: { keepaliveMaxS },
  });
}

const modes = [
  { mode: 'memory', redis: false },
  { mode: 'redis', redis: true },
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const id = (what: string) => `${what}-${++n}-${process.pid}`;

describe.each(modes)('MQTT 3.1.1 conformance, $mode persistence', ({ redis: useRedis }) => {
  let redis: RedisServer | undefined;
  let broker: BrokerService;
  let port: number;

  beforeAll(async () => {
    if (useRedis) redis = await startRedis();
    broker = brokerWith(redis?.url);
    await broker.start();
    port = broker.addresses().tcp;
  }, 30_000);
  afterAll(async () => {
    await broker?.stop();
    await redis?.stop();
  });

  const open: WireSession[] = [];
  async function connect(clientId: string, clean: boolean, extra: { will?: { topic: string; payload: Buffer; qos: 0; retain: false } } = {}) {
    const result = await connectWire(port, { clientId, clean, ...extra });
    open.push(result.session);
    return result;
  }
  afterAll(() => { for (const s of open) s.socket.destroy(); });

  describe.skipIf(useRedis && !redisAvailable())('Session Present (MQTT-3.2.2-2)', () => {
    it('is 1 on reconnecting to a CleanSession = 0 session without subscriptions', async () => {
      const clientId = id('sp-nosubs');
      const first = await connect(clientId, false);
      expect(first.connack).toMatchObject({ returnCode: 0, sessionPresent: false }); // MQTT-3.2.2-3: no session yet
      await first.session.disconnect();
      const second = await connect(clientId, false);
      expect(second.connack).toMatchObject({ returnCode: 0, sessionPresent: true });
      await second.session.disconnect();
    });

    it('is 1 when a second connection takes over a live CleanSession = 0 session (Mosquitto 07-will-takeover)', async () => {
      const clientId = id('sp-takeover');
      const will = { topic: `will/${clientId}`, payload: Buffer.from('gone'), qos: 0 as const, retain: false as const };
      const first = await connect(clientId, false, { will });
      expect(first.connack.sessionPresent).toBe(false);
      const second = await connect(clientId, false, { will });
      expect(second.connack).toMatchObject({ returnCode: 0, sessionPresent: true });
      await first.session.closed; // MQTT-3.1.4-2: the old connection is closed
      await second.session.disconnect();
    });

    it('is 1 on reconnecting after a DISCONNECT with a will, and the will is not published (Mosquitto 07-will-reconnect-1273)', async () => {
      const clientId = id('sp-will');
      const topic = `will/${clientId}`;
      const watcher = await connect(id('watch'), true);
      await subscribeWire(watcher.session, topic, 0);
      const will = { topic, payload: Buffer.from('will msg'), qos: 0 as const, retain: false as const };
      const first = await connect(clientId, false, { will });
      first.session.send({ cmd: 'publish', topic, payload: Buffer.from('alive'), qos: 0, dup: false, retain: false });
      await first.session.disconnect(); // MQTT-3.14.4-3: the will is discarded
      const second = await connect(clientId, false, { will });
      expect(second.connack).toMatchObject({ returnCode: 0, sessionPresent: true });
      second.session.send({ cmd: 'publish', topic, payload: Buffer.from('alive'), qos: 0, dup: false, retain: false });
      await second.session.disconnect();
      await sleep(200);
      expect(watcher.session.packets.filter((p) => p.cmd === 'publish').map((p) => String(p.payload))).toEqual(['alive', 'alive']);
      await watcher.session.disconnect();
    });

    it('is 1 with subscriptions (as before), and 0 once CleanSession = 1 has discarded the session (MQTT-3.1.2-6, MQTT-3.2.2-1)', async () => {
      const clientId = id('sp-subs');
      const first = await connect(clientId, false);
      await subscribeWire(first.session, `t/${clientId}`, 2);
      await first.session.disconnect();
      const second = await connect(clientId, false);
      expect(second.connack.sessionPresent).toBe(true);
      await second.session.disconnect();
      const clean = await connect(clientId, true);
      expect(clean.connack.sessionPresent).toBe(false); // MQTT-3.2.2-1
      await clean.session.disconnect();
      const third = await connect(clientId, false);
      expect(third.connack.sessionPresent).toBe(false); // MQTT-3.1.2-6: the clean session ended with its connection
      await third.session.disconnect();
    });

    it('is 1 for a publishing-only session, whose QoS 2 messages with one packet id each arrive once (Mosquitto 02-subpub-qos2-1322)', async () => {
      const root = id('sp-qos2');
      const sub = await connect(id('sub'), true);
      await subscribeWire(sub.session, `${root}/topic1`, 0);
      const pubId = id('pub');
      for (const [i, topic] of [`${root}/topic1`, `${root}/topic2`, `${root}/topic1`].entries()) {
        const pub = await connect(pubId, false);
        expect(pub.connack.sessionPresent, `connection ${i + 1}`).toBe(i > 0);
        pub.session.send({ cmd: 'publish', topic, payload: Buffer.from(`message${i + 1}`), qos: 2, messageId: 1, dup: false, retain: false });
        await pub.session.next('pubrec');
        pub.session.send({ cmd: 'pubrel', messageId: 1 });
        await pub.session.next('pubcomp');
        await pub.session.drop();
      }
      await sleep(200);
      expect(sub.session.packets.filter((p) => p.cmd === 'publish').map((p) => String(p.payload))).toEqual(['message1', 'message3']);
      await sub.session.disconnect();
      const clear = await connect(pubId, true);
      await clear.session.disconnect();
    });
  });

  describe.skipIf(useRedis && !redisAvailable())('DUP on redelivery (MQTT-3.3.1-1)', () => {
    it.each([1, 2] as const)('a QoS %i PUBLISH sent again after a reconnect has DUP = 1 and its packet id (Mosquitto 03-publish-b2c-disconnect-qos1/2)', async (qos) => {
      const clientId = id(`dup-${qos}`);
      const topic = `dup/${clientId}`;
      const sub = await connect(clientId, false);
      await subscribeWire(sub.session, topic, qos);
      const pub = await connect(id('pub'), true);
      pub.session.send({ cmd: 'publish', topic, payload: Buffer.from('once'), qos: 1, messageId: 3, dup: false, retain: false });
      if (qos === 2) pub.session.send({ cmd: 'publish', topic, payload: Buffer.from('twice'), qos: 2, messageId: 4, dup: false, retain: false });
      const first = await publishOf(sub.session);
      expect(first).toMatchObject({ topic, qos: 1, dup: false, payload: Buffer.from('once') });
      const second = qos === 2 ? await publishOf(sub.session) : undefined;
      if (second) expect(second).toMatchObject({ qos: 2, dup: false, payload: Buffer.from('twice') });
      await sub.session.drop(); // no PUBACK / PUBREC: the messages are unacknowledged

      const again = await connect(clientId, false);
      expect(again.connack.sessionPresent).toBe(true);
      const redelivered = await publishOf(again.session);
      expect(redelivered).toMatchObject({ topic, qos: 1, dup: true, messageId: first.messageId, payload: Buffer.from('once') });
      if (second) expect(await publishOf(again.session)).toMatchObject({ qos: 2, dup: true, messageId: second.messageId, payload: Buffer.from('twice') });
      again.session.send({ cmd: 'puback', messageId: redelivered.messageId! });
      if (second) {
        again.session.send({ cmd: 'pubrec', messageId: second.messageId! });
        await again.session.next('pubrel');
        again.session.send({ cmd: 'pubcomp', messageId: second.messageId! });
      }
      await sleep(100);
      await again.session.disconnect();
      // Acknowledged: not sent a third time.
      const third = await connect(clientId, false);
      await sleep(200);
      expect(third.session.pending('publish')).toEqual([]);
      await third.session.disconnect();
      await pub.session.disconnect();
    });

    it('a message queued while the client was offline is a first delivery: DUP = 0', async () => {
      const clientId = id('dup-offline');
      const topic = `dup/${clientId}`;
      const sub = await connect(clientId, false);
      await subscribeWire(sub.session, topic, 1);
      await sub.session.disconnect();
      const pub = await connect(id('pub'), true);
      pub.session.send({ cmd: 'publish', topic, payload: Buffer.from('queued'), qos: 1, messageId: 5, dup: false, retain: false });
      await pub.session.next('puback');
      const again = await connect(clientId, false);
      const delivered = await publishOf(again.session);
      expect(delivered).toMatchObject({ topic, qos: 1, dup: false, payload: Buffer.from('queued') });
      again.session.send({ cmd: 'puback', messageId: delivered.messageId! });
      await sleep(50);
      await again.session.disconnect();
      await pub.session.disconnect();
    });
  });

  // Only the Redis variant has a second broker to share the session with (no skipped test in the memory run).
  if (useRedis) {
    it.skipIf(!redisAvailable())('Redis: a session made on one broker is present, with its redelivery marked DUP, on another sharing the Redis', async () => {
      const other = brokerWith(redis!.url);
      await other.start();
      try {
        const clientId = id('cluster');
        const topic = `cluster/${clientId}`;
        const first = await connect(clientId, false);
        await subscribeWire(first.session, topic, 1);
        const pub = await connect(id('pub'), true);
        pub.session.send({ cmd: 'publish', topic, payload: Buffer.from('c'), qos: 1, messageId: 1, dup: false, retain: false });
        const sent = await publishOf(first.session);
        await first.session.drop(); // no PUBACK
        const moved = await connectWire(other.addresses().tcp, { clientId, clean: false });
        open.push(moved.session);
        expect(moved.connack.sessionPresent).toBe(true); // MQTT-3.2.2-2
        expect(await publishOf(moved.session)).toMatchObject({ topic, dup: true, messageId: sent.messageId }); // MQTT-3.3.1-1
        await moved.session.disconnect();
        const bareId = id('bare');
        const bare = await connect(bareId, false); // a session without subscriptions
        await bare.session.disconnect();
        const bareMoved = await connectWire(other.addresses().tcp, { clientId: bareId, clean: false });
        open.push(bareMoved.session);
        expect(bareMoved.connack.sessionPresent).toBe(true);
        await bareMoved.session.disconnect();
        await pub.session.disconnect();
      } finally {
        await other.stop();
      }
    });
  }

  describe.skipIf(useRedis && !redisAvailable())('DUP with two persistent subscribers', () => {
    it(useRedis
      ? 'Redis: a first delivery of a message another session was sent has DUP = 1 (one shared copy upstream: docs/aedes-upstream.md)'
      : 'memory: a first delivery of a message another session was sent has DUP = 0', async () => {
      const topic = `dup2/${id('t')}`;
      const offlineId = id('dup2-off');
      const offline = await connect(offlineId, false);
      await subscribeWire(offline.session, topic, 1);
      await offline.session.disconnect();
      const online = await connect(id('dup2-on'), false);
      await subscribeWire(online.session, topic, 1);
      const pub = await connect(id('pub'), true);
      pub.session.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId: 2, dup: false, retain: false });
      const live = await publishOf(online.session);
      expect(live.dup).toBe(false);
      online.session.send({ cmd: 'puback', messageId: live.messageId! });
      const back = await connect(offlineId, false);
      // aedes-persistence-redis stores a QoS 1 message once for all its subscribers and writes the packet id of a
      // send into that copy: a later first delivery to another session looks like a redelivery. DUP = 1 there
      // says "might be a re-delivery" (§3.3.1.1), which keeps MQTT-3.3.1-1 for every real redelivery.
      expect(await publishOf(back.session)).toMatchObject({ topic, dup: useRedis });
      await Promise.all([back.session.disconnect(), online.session.disconnect(), pub.session.disconnect()]);
    });
  });

  describe.skipIf(useRedis && !redisAvailable())('`+` matches an empty level (§4.7.1.1, §4.7.1.3)', () => {
    it('a retained message on foo//baz reaches a new foo/+/baz subscriber', async () => {
      const root = id('ret');
      const pub = await connect(id('pub'), true);
      pub.session.send({ cmd: 'publish', topic: `${root}//baz`, payload: Buffer.from('empty level'), qos: 1, messageId: 9, dup: false, retain: true });
      await pub.session.next('puback');
      for (const filter of [`${root}/+/baz`, `${root}/+/+`, `${root}/#`]) {
        const sub = await connect(id('ret-sub'), true);
        await subscribeWire(sub.session, filter, 1);
        expect(await publishOf(sub.session), filter).toMatchObject({ topic: `${root}//baz`, retain: true, payload: Buffer.from('empty level') });
        await sub.session.disconnect();
      }
      // and not to a filter it does not match
      const other = await connect(id('ret-sub'), true);
      await subscribeWire(other.session, `${root}/+`, 1);
      await sleep(200);
      expect(other.session.pending('publish')).toEqual([]);
      await other.session.disconnect();
      pub.session.send({ cmd: 'publish', topic: `${root}//baz`, payload: Buffer.alloc(0), qos: 0, dup: false, retain: true });
      await pub.session.disconnect();
    });

    it('a QoS 1 message on foo//baz is queued for an offline foo/+/baz session and delivered live to an online one', async () => {
      const root = id('queued');
      const offlineId = id('q-off');
      const offline = await connect(offlineId, false);
      await subscribeWire(offline.session, `${root}/+/baz`, 1);
      await offline.session.disconnect();
      const onlineId = id('q-on');
      const online = await connect(onlineId, false);
      await subscribeWire(online.session, `${root}/+/baz`, 1);
      const pub = await connect(id('pub'), true);
      pub.session.send({ cmd: 'publish', topic: `${root}//baz`, payload: Buffer.from('q'), qos: 1, messageId: 11, dup: false, retain: false });
      await pub.session.next('puback');
      const live = await publishOf(online.session);
      expect(live).toMatchObject({ topic: `${root}//baz`, qos: 1 });
      online.session.send({ cmd: 'puback', messageId: live.messageId! });
      await sleep(100);
      expect(online.session.isClosed()).toBe(false);
      const back = await connect(offlineId, false);
      expect(back.connack.sessionPresent).toBe(true);
      expect(await publishOf(back.session)).toMatchObject({ topic: `${root}//baz`, qos: 1, payload: Buffer.from('q') });
      await back.session.disconnect();
      await online.session.disconnect();
      await pub.session.disconnect();
    });
  });
});

describe('keepalive (§3.1.2.10): 0 is accepted, idle connections are bounded by MQTT_KEEPALIVE_MAX_S', () => {
  let broker: BrokerService;
  let port: number;
  const metrics = createMetrics();

  beforeAll(async () => {
    broker = createBrokerService({
      auth: { verifyDevice: () => Promise.resolve(false), verifyService: () => Promise.resolve(false) },
      log: silentLogger(), metrics, host: '127.0.0.1', port: 0, allowAnonymous: true, limits: { keepaliveMaxS: KEEPALIVE_MAX_S },
    });
    await broker.start();
    port = broker.addresses().tcp;
  });
  afterAll(async () => { await broker?.stop(); });

  const keepaliveHits = async () => (await metrics.registry.getSingleMetric('ruong_mqtt_limit_hits_total')!.get()).values.find((v) => v.labels.limit === 'keepalive')?.value ?? 0;

  /** Seconds from the CONNACK until the broker closes a connection that sends nothing more. */
  async function silentFor(keepalive: number): Promise<number> {
    const { session, connack } = await connectWire(port, { clientId: id('ka'), keepalive });
    expect(connack).toMatchObject({ returnCode: 0 });
    const since = Date.now();
    await session.closed;
    return (Date.now() - since) / 1000;
  }

  // MQTT-3.1.2-24: closed after 1.5 × the keepalive without a packet; 0 and anything above the maximum count as the maximum.
  it.each([0, 65_535])('accepts keepalive %i (CONNACK 0) and closes the silent connection after 1.5 × MQTT_KEEPALIVE_MAX_S', async (keepalive) => {
    const before = await keepaliveHits();
    const idle = await silentFor(keepalive);
    expect(idle).toBeGreaterThan(1.5 * KEEPALIVE_MAX_S - 0.3);
    expect(idle).toBeLessThan(1.5 * KEEPALIVE_MAX_S + 2);
    expect(await keepaliveHits()).toBe(before + 1);
  });

  it('keeps a keepalive 0 connection that sends a packet now and then (PINGREQ → PINGRESP)', async () => {
    const { session, connack } = await connectWire(port, { clientId: id('ka-ping'), keepalive: 0 });
    expect(connack.returnCode).toBe(0);
    for (let i = 0; i < 5; i++) {
      await sleep(1000);
      session.send({ cmd: 'pingreq' });
      await session.next('pingresp');
    }
    expect(session.isClosed()).toBe(false); // 5 s > 1.5 × KEEPALIVE_MAX_S
    await session.disconnect();
  });

  it('still closes a connection silent for 1.5 × its own (smaller) keepalive', async () => {
    const idle = await silentFor(1);
    expect(idle).toBeGreaterThan(1.2);
    expect(idle).toBeLessThan(1.5 * KEEPALIVE_MAX_S);
  });
});

// The Eclipse Paho Python client (Debian python3-paho-mqtt, unmodified) with keepalive 0, as the Paho 3.1.1
// interoperability suite's client connects: a QoS 1 subscribe, publish (PUBACK) and delivery round trip.
const pahoRoundTrip = `
import sys
import paho.mqtt.client as mqtt
port, topic = int(sys.argv[1]), sys.argv[2]
kw = dict(client_id="paho-keepalive-0", protocol=mqtt.MQTTv311, clean_session=True)
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, **kw) if hasattr(mqtt, "CallbackAPIVersion") else mqtt.Client(**kw)
state = {"puback": False, "message": False}
def done_if_both(cl):
    if state["puback"] and state["message"]:
        cl.disconnect()
def on_connect(cl, userdata, flags, rc):
    print("CONNACK", rc, flush=True)
    if rc != 0:
        cl.disconnect()
    else:
        cl.subscribe(topic, 1)
def on_subscribe(cl, userdata, mid, granted):
    print("SUBACK", list(granted), flush=True)
    cl.publish(topic, "round trip", qos=1)
def on_publish(cl, userdata, mid):
    print("PUBACK", flush=True)
    state["puback"] = True
    done_if_both(cl)
def on_message(cl, userdata, msg):
    print("MESSAGE", msg.topic, msg.qos, msg.payload.decode(), flush=True)
    state["message"] = True
    done_if_both(cl)
c.on_connect, c.on_subscribe, c.on_publish, c.on_message = on_connect, on_subscribe, on_publish, on_message
c.connect("127.0.0.1", port, keepalive=0)
c.loop_forever()
`;

describe.skipIf(!mqttClientsAvailable())('Eclipse Paho Python client with keepalive 0', () => {
  let broker: BrokerService;

  beforeAll(async () => {
    broker = brokerWith(undefined);
    await broker.start();
  });
  afterAll(async () => { await broker?.stop(); });

  it('connects (CONNACK 0) and does a QoS 1 publish/subscribe round trip', async () => {
    const topic = `paho/${id('rt')}`;
    const output = await new Promise<string>((resolve, reject) => {
      execFile(pahoPython!, ['-c', pahoRoundTrip, String(broker.addresses().tcp), topic], { timeout: 20_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stdout}${stderr}`));
        else resolve(stdout);
      });
    });
    const lines = output.trim().split('\n');
    expect(lines[0]).toBe('CONNACK 0');
    expect(lines).toContain('SUBACK [1]');
    expect(lines).toContain('PUBACK');
    expect(lines).toContain(`MESSAGE ${topic} 1 round trip`);
  });
});
