// A device's QoS 1 PUBLISH without Aedes' handler (broker/device-publish.ts, issue 19), from the user's side over raw
// MQTT 3.1.1 (test/helpers/mqtt-wire.ts) against the broker as `ruong broker` runs it in memory (the ingest's durable
// session created at start, device PUBACKs held until the ingest acknowledged): the PUBACK still comes only once the
// ingest acknowledged; a topic the device may not publish to still closes its connection, and nothing of it is
// delivered; a malformed topic still closes the connection; each device's messages keep the order they were sent in,
// across QoS levels (MQTT-4.6.0-6); a device that does not read still has its messages published; a device
// whose only packets are QoS 1 PUBLISH keeps its connection past its keepalive (MQTT-3.1.2-24). Each case also
// checks whether the path was taken (devicePublishCounts), so it tests this path and not Aedes' own.
import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { devicePublishCounts } from '../../broker/device-publish.js';
import { ack, bodies, INGEST, publishes, pubackIds, sleep, useIngestSessionBroker } from '../helpers/ingest-session-broker.js';
import type { WireSession } from '../helpers/mqtt-wire.js';

const fixture = useIngestSessionBroker({ secret: 'device-publish-secret', devicePrefix: 'dev-pub' });
const { ingest, device, session } = fixture;

const frame = (topic: string, qos: 0 | 1 | 2, messageId: number, body: string) =>
  generate({ cmd: 'publish', topic, payload: Buffer.from(body), qos, messageId, retain: false, dup: false });

function publish(s: WireSession, topic: string, messageId: number, body: string): void {
  s.socket.write(frame(topic, 1, messageId, body));
}

const denied = async () => (await fixture.metrics.mqttDenied.get()).values.filter((v) => v.labels.action === 'publish').reduce((sum, v) => sum + v.value, 0);

describe('a device\'s QoS 1 PUBLISH (device-publish.ts)', () => {
  it('is published at once, its PUBACK waits for the ingest\'s acknowledgement, and PUBACKs keep their order', async () => {
    const before = { ...devicePublishCounts };
    const ing = await ingest();
    const dev = await device();
    for (let i = 1; i <= 5; i++) publish(dev.s, dev.topic, i, `m${i}`);
    const got = await publishes(ing, 5);
    expect(bodies(got)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([]); // not stored yet
    ack(ing, got[1]!); // the second first: its PUBACK waits behind the first's (MQTT-4.6.0-2)
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([]);
    ack(ing, got[0]!);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2]);
    for (const p of got.slice(2)) ack(ing, p);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3, 4, 5]);
    expect(dev.s.isClosed()).toBe(false);
    expect(devicePublishCounts.published - before.published).toBe(5);
  });

  it('a topic the device may not publish to closes its connection (authorizePublish), and only the messages before it are delivered', async () => {
    const before = { ...devicePublishCounts };
    const deniedBefore = await denied();
    const ing = await ingest();
    const dev = await device();
    const other = await device();
    // One TCP write: an allowed message, then one to another device's uplink, then another allowed one.
    dev.s.socket.write(Buffer.concat([frame(dev.topic, 1, 1, 'mine'), frame(other.topic, 1, 2, 'forged'), frame(dev.topic, 1, 3, 'after')]));
    await dev.s.closed;
    const [got] = await publishes(ing, 1);
    expect(bodies([got!])).toEqual(['mine']);
    ack(ing, got!);
    await sleep(200);
    expect(ing.pending('publish')).toEqual([]); // neither 'forged' nor what followed it
    expect(pubackIds(dev.s)).not.toContain(2);
    expect(await denied()).toBe(deniedBefore + 1);
    expect(devicePublishCounts.refused - before.refused).toBe(1);
    // A command topic (devices/{id}/down) is refused the same way.
    const dev2 = await device();
    publish(dev2.s, `devices/${dev2.id}/down`, 1, 'open the valve');
    await dev2.s.closed;
    await sleep(100);
    expect(ing.pending('publish')).toEqual([]);
    expect(devicePublishCounts.refused - before.refused).toBe(2);
  });

  it('a wildcard in a PUBLISH topic still closes the connection, and nothing is delivered', async () => {
    const ing = await ingest();
    const dev = await device();
    publish(dev.s, `devices/${dev.id}/+`, 1, 'wild');
    await dev.s.closed;
    await sleep(100);
    expect(ing.pending('publish')).toEqual([]);
    expect(pubackIds(dev.s)).toEqual([]);
  });

  it('a QoS 0 message sent right after a QoS 1 one reaches the ingest after it (MQTT-4.6.0-6)', async () => {
    const before = { ...devicePublishCounts };
    const ing = await ingest();
    const dev = await device();
    for (let round = 0; round < 5; round++) {
      dev.s.socket.write(Buffer.concat([frame(dev.topic, 1, 10 + round, `q1-${round}`), frame(dev.topic, 0, 0, `q0-${round}`)]));
      const got = await publishes(ing, 2);
      expect(bodies(got)).toEqual([`q1-${round}`, `q0-${round}`]);
      for (const p of got) if (p.qos === 1) ack(ing, p);
    }
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([10, 11, 12, 13, 14]);
    expect(devicePublishCounts.published - before.published).toBe(5);
  });

  it('a QoS 1 message behind a QoS 2 one waits for it on Aedes\' path, and the next one takes this path again', async () => {
    const before = { ...devicePublishCounts };
    const ing = await ingest();
    const dev = await device();
    dev.s.socket.write(Buffer.concat([frame(dev.topic, 2, 100, 'q2'), frame(dev.topic, 1, 200, 'q1'), frame(dev.topic, 1, 201, 'q1b')]));
    const got = await publishes(ing, 3);
    expect(bodies(got)).toEqual(['q2', 'q1', 'q1b']);
    for (const p of got) ack(ing, p);
    const rec = await dev.s.next('pubrec');
    dev.s.send({ cmd: 'pubrel', messageId: rec.messageId });
    await dev.s.next('pubcomp');
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([200, 201]);
    expect(devicePublishCounts.published - before.published).toBe(0); // both behind the QoS 2 message
    publish(dev.s, dev.topic, 202, 'q1c');
    const [last] = await publishes(ing, 1);
    expect(bodies([last!])).toEqual(['q1c']);
    ack(ing, last!);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([200, 201, 202]);
    expect(devicePublishCounts.published - before.published).toBe(1);
  });

  it('a device that does not read: its messages are still published at once, in order, and its PUBACKs wait in its socket', async () => {
    const before = { ...devicePublishCounts };
    const ing = await ingest();
    const dev = await device();
    dev.s.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `devices/${dev.id}/down`, qos: 0 }] });
    await dev.s.next('suback');
    dev.s.socket.pause(); // stops reading: the broker's writes to it fill the socket
    const cmd = await session(`${INGEST}-cmd`, INGEST, true);
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 300; i++) cmd.socket.write(frame(`devices/${dev.id}/down`, 0, 0, big));
    await sleep(500);
    for (let i = 1; i <= 3; i++) publish(dev.s, dev.topic, i, `d${i}`);
    // Aedes does not wait for 'drain' after a PUBACK (mqtt-packet answers true for it): neither does this path.
    const got = await publishes(ing, 3, 10_000);
    expect(bodies(got)).toEqual(['d1', 'd2', 'd3']);
    for (const p of got) ack(ing, p);
    dev.s.socket.resume();
    for (let waited = 0; (dev.s.pending('puback').length < 3 || dev.s.pending('publish').length < 300) && waited < 10_000; waited += 20) await sleep(20);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3]);
    expect(dev.s.pending('publish')).toHaveLength(300); // every command too
    expect(devicePublishCounts.published - before.published).toBe(3);
  }, 30_000);

  // MQTT-3.1.2-24: any control packet restarts the keepalive, the QoS 1 PUBLISH packets this path handles without Aedes too.
  it('a device whose only packets are QoS 1 PUBLISH on this path stays connected past 1.5 × its keepalive, and is closed once silent', async () => {
    const before = { ...devicePublishCounts };
    const ing = await ingest();
    const id = 'dev-pub-keepalive';
    const topic = `devices/${id}/up`;
    const dev = await session(id, id, true, { keepalive: 1 });
    let mid = 0;
    for (let round = 0; round < 6; round++) { // 3 s, twice the 1.5 s the broker allows a silent client
      dev.socket.write(Buffer.concat([frame(topic, 1, ++mid, `k${mid}`), frame(topic, 1, ++mid, `k${mid}`)])); // one read
      for (const p of await publishes(ing, 2)) ack(ing, p);
      await sleep(500);
    }
    expect(dev.isClosed()).toBe(false);
    expect(pubackIds(dev)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(devicePublishCounts.published - before.published).toBe(12);
    const since = Date.now();
    await dev.closed;
    const idle = (Date.now() - since) / 1000;
    expect(idle).toBeGreaterThan(0.5);
    expect(idle).toBeLessThan(3);
  }, 15_000);
});
