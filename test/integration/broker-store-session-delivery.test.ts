// The ingest's deliveries and PUBACKs without Aedes' per-message copies (broker/store-session-delivery.ts, issue 19),
// from the user's side over raw MQTT 3.1.1 (test/helpers/mqtt-wire.ts) against the broker as `ruong broker` runs
// it in memory (the ingest's durable session created at start, device PUBACKs held until the ingest acknowledged):
// a device's PUBACK comes only once the ingest acknowledged its copy; an ingest that drops gets exactly its
// unacknowledged messages again on reconnecting (DUP = 1 where sent, MQTT-3.3.1-1), then what queued meanwhile;
// other subscribers still get every message; each device's messages and PUBACKs keep their order (MQTT-4.6.0-2,
// MQTT-4.6.0-6); an ingest whose only packets are PUBACKs keeps its connection past its keepalive (MQTT-3.1.2-24).
// Each case also checks that the path was taken (storeSessionDeliveryCounts), so it tests this path
// and not Aedes' own.
import { generate, type IPublishPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { storeSessionDeliveryCounts } from '../../broker/store-session-delivery.js';
import { ack, bodies, INGEST, publishes, pubackIds, sleep, useIngestSessionBroker } from '../helpers/ingest-session-broker.js';
import type { WireSession } from '../helpers/mqtt-wire.js';

const fixture = useIngestSessionBroker({ secret: 'fast-path-secret', devicePrefix: 'fast' });
const { ingest, device, session } = fixture;

function publish(s: WireSession, topic: string, messageId: number, body: string, extra: Partial<IPublishPacket> = {}): void {
  s.send({ cmd: 'publish', topic, payload: Buffer.from(body), qos: 1, messageId, retain: false, dup: false, ...extra });
}

describe('the ingest session\'s QoS 1 deliveries (store-session-delivery.ts)', () => {
  it('a device gets its PUBACK only once the ingest acknowledged the message, in order, and the ingest gets each message once', async () => {
    const before = { ...storeSessionDeliveryCounts };
    const ing = await ingest();
    const dev = await device();
    for (let i = 1; i <= 5; i++) publish(dev.s, dev.topic, i, `m${i}`);
    const got = await publishes(ing, 5);
    expect(bodies(got)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(got.every((p) => p.qos === 1 && !p.dup && !p.retain && p.topic === dev.topic)).toBe(true);
    expect(new Set(got.map((p) => p.messageId)).size).toBe(5);
    await sleep(200);
    expect(pubackIds(dev.s)).toEqual([]); // the ingest has not stored anything yet
    ack(ing, got[0]!);
    ack(ing, got[1]!);
    await sleep(200);
    expect(pubackIds(dev.s)).toEqual([1, 2]);
    for (const p of got.slice(2)) ack(ing, p);
    await sleep(200);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3, 4, 5]);
    expect(ing.pending('publish')).toEqual([]); // nothing twice
    expect(storeSessionDeliveryCounts.delivered - before.delivered).toBe(5);
    expect(storeSessionDeliveryCounts.acked - before.acked).toBe(5);
  });

  it('an ingest that drops gets exactly its unacknowledged messages again on reconnecting, DUP = 1, then those queued meanwhile; only then do the devices get their PUBACKs', async () => {
    const before = { ...storeSessionDeliveryCounts };
    let ing = await ingest();
    const dev = await device();
    for (let i = 1; i <= 6; i++) publish(dev.s, dev.topic, i, `r${i}`);
    const first = await publishes(ing, 6);
    ack(ing, first[0]!);
    ack(ing, first[1]!);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2]);
    await ing.drop(); // the ingest goes away with r3…r6 unacknowledged
    await sleep(100);
    publish(dev.s, dev.topic, 7, 'r7'); // queued for the offline session
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2]);
    ing = await ingest();
    const again = await publishes(ing, 5);
    expect(bodies(again)).toEqual(['r3', 'r4', 'r5', 'r6', 'r7']);
    expect(again.slice(0, 4).map((p) => p.dup)).toEqual([true, true, true, true]); // sent before (MQTT-3.3.1-1)
    expect(again.slice(0, 4).map((p) => p.messageId)).toEqual(first.slice(2).map((p) => p.messageId)); // with their packet ids
    expect(again[4]!.dup).toBe(false); // a first delivery
    await sleep(150);
    expect(ing.pending('publish')).toEqual([]);
    expect(pubackIds(dev.s)).toEqual([1, 2]);
    for (const p of again) ack(ing, p);
    await sleep(200);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Live again: the next message takes the path, and its PUBACK waits for the ingest as before.
    publish(dev.s, dev.topic, 8, 'r8');
    const [live] = await publishes(ing, 1);
    expect(bodies([live!])).toEqual(['r8']);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    ack(ing, live!);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(storeSessionDeliveryCounts.delivered - before.delivered).toBe(7); // r1…r6 and r8; the rest by Aedes' emptyQueue
  });

  it('an ingest that does not acknowledge holds its devices\' PUBACKs while other subscribers get every message', async () => {
    const before = { ...storeSessionDeliveryCounts };
    const ing = await ingest();
    // Another ingest-credential session, persistent, and a clean one: neither is the store session.
    const other = await fixture.subscriber('other', false, 1);
    const watcher = await fixture.subscriber('watch', true, 0);
    const dev = await device();
    for (let i = 1; i <= 4; i++) publish(dev.s, dev.topic, i, `o${i}`);
    const toIngest = await publishes(ing, 4);
    expect(bodies(toIngest)).toEqual(['o1', 'o2', 'o3', 'o4']);
    const toOther = await publishes(other, 4);
    expect(bodies(toOther)).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect(toOther.every((p) => p.qos === 1)).toBe(true);
    const toWatcher = await publishes(watcher, 4);
    expect(bodies(toWatcher)).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect(toWatcher.every((p) => p.qos === 0)).toBe(true);
    for (const p of toOther) ack(other, p); // acknowledged by everyone but the ingest
    await sleep(300);
    expect(pubackIds(dev.s)).toEqual([]);
    expect(storeSessionDeliveryCounts.delivered - before.delivered).toBe(4);
    for (const p of toIngest) ack(ing, p);
    await sleep(200);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3, 4]);
  });

  it('many devices publishing at once: each device\'s messages reach the ingest and its PUBACKs come back in the order sent', async () => {
    const before = { ...storeSessionDeliveryCounts };
    const ing = await ingest();
    const devices = await Promise.all(Array.from({ length: 5 }, () => device()));
    const perDevice = 60;
    for (let i = 1; i <= perDevice; i++) for (const d of devices) publish(d.s, d.topic, i, `${d.id}:${i}`);
    const got: IPublishPacket[] = [];
    while (got.length < devices.length * perDevice) {
      const p = await ing.next('publish');
      got.push(p);
      ack(ing, p); // as the ingest does once stored
    }
    for (const d of devices) {
      expect(bodies(got.filter((p) => p.topic === d.topic))).toEqual(Array.from({ length: perDevice }, (_, i) => `${d.id}:${i + 1}`));
    }
    await sleep(300);
    for (const d of devices) expect(pubackIds(d.s)).toEqual(Array.from({ length: perDevice }, (_, i) => i + 1));
    expect(ing.pending('publish')).toEqual([]);
    expect(storeSessionDeliveryCounts.delivered - before.delivered).toBe(devices.length * perDevice);
    expect(storeSessionDeliveryCounts.acked - before.acked).toBe(devices.length * perDevice);
  });

  it('PUBACKs from the ingest out of order: Aedes takes over until its queue is in order again; nothing lost, order and PUBACK order kept', async () => {
    const before = { ...storeSessionDeliveryCounts };
    const ing = await ingest();
    const dev = await device();
    for (let i = 1; i <= 3; i++) publish(dev.s, dev.topic, i, `x${i}`);
    const first = await publishes(ing, 3);
    ack(ing, first[1]!); // x2 before x1
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([]); // PUBACK 2 waits behind 1 (MQTT-4.6.0-2)
    for (let i = 4; i <= 6; i++) publish(dev.s, dev.topic, i, `x${i}`);
    const next = await publishes(ing, 3);
    expect(bodies(next)).toEqual(['x4', 'x5', 'x6']);
    ack(ing, first[0]!);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2]);
    ack(ing, first[2]!);
    for (const p of next) ack(ing, p);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3, 4, 5, 6]);
    publish(dev.s, dev.topic, 7, 'x7'); // the queue is empty again: back on the path
    const [last] = await publishes(ing, 1);
    ack(ing, last!);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ing.pending('publish')).toEqual([]);
    expect(storeSessionDeliveryCounts.delivered - before.delivered).toBe(4); // x1–x3 and x7
  });

  it('a message Aedes delivers (QoS 2 from the device) is not overtaken by the QoS 1 message sent right after it (MQTT-4.6.0-6)', async () => {
    const ing = await ingest();
    const dev = await device();
    for (let round = 0; round < 5; round++) {
      // One TCP write: Aedes publishes the QoS 2 message after its store promises and writes it a check phase later;
      // the QoS 1 one is published a check phase after its PUBACK and would be written at once by this path.
      dev.s.socket.write(Buffer.concat([
        generate({ cmd: 'publish', topic: dev.topic, payload: Buffer.from(`q2-${round}`), qos: 2, messageId: 100 + round, retain: false, dup: false }),
        generate({ cmd: 'publish', topic: dev.topic, payload: Buffer.from(`q1-${round}`), qos: 1, messageId: 200 + round, retain: false, dup: false }),
      ]));
      const got = await publishes(ing, 2);
      expect(bodies(got)).toEqual([`q2-${round}`, `q1-${round}`]);
      for (const p of got) ack(ing, p);
      const rec = await dev.s.next('pubrec');
      dev.s.send({ cmd: 'pubrel', messageId: rec.messageId });
      await dev.s.next('pubcomp');
    }
  });

  it('an ingest that stops reading: writes wait for drain (the emitter holds back), then every message arrives once, in order, and the PUBACKs follow', async () => {
    const before = { ...storeSessionDeliveryCounts };
    const ing = await ingest();
    ing.socket.pause(); // its socket fills up: the broker's writes return false
    const dev = await device();
    const count = 120;
    const body = (i: number) => `${i}:`.padEnd(50_000, 'x');
    for (let i = 1; i <= count; i++) publish(dev.s, dev.topic, i, body(i));
    for (let waited = 0; storeSessionDeliveryCounts.waitedForDrain === before.waitedForDrain && waited < 5000; waited += 20) await sleep(20);
    expect(storeSessionDeliveryCounts.waitedForDrain).toBeGreaterThan(before.waitedForDrain);
    expect(pubackIds(dev.s)).toEqual([]);
    ing.socket.resume();
    const got: IPublishPacket[] = [];
    while (got.length < count) {
      const p = await ing.next('publish', 10_000);
      got.push(p);
      ack(ing, p);
    }
    expect(got.map((p) => p.payload.toString().split(':')[0])).toEqual(Array.from({ length: count }, (_, i) => String(i + 1)));
    for (let waited = 0; dev.s.pending('puback').length < count && waited < 5000; waited += 20) await sleep(20);
    expect(pubackIds(dev.s)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    await sleep(100);
    expect(ing.pending('publish')).toEqual([]);
    expect(storeSessionDeliveryCounts.delivered - before.delivered).toBeGreaterThan(0);
  }, 30_000);

  it('an ingest that reconnects while messages still wait in the broker\'s backlog gets each of them once, or again only as a DUP = 1 repeat with the same packet id', async () => {
    const before = { ...storeSessionDeliveryCounts };
    let ing = await ingest();
    // A clean QoS 1 subscriber that stops reading: once its socket is full, a delivery to it waits for 'drain'.
    const stall = await fixture.subscriber('stall', true, 1);
    stall.socket.pause();
    const big = await device();
    const bigCount = 200;
    for (let i = 1; i <= bigCount; i++) publish(big.s, big.topic, i, `big${i}:`.padEnd(50_000, 'x'));
    // The ingest gets big messages until one waits for the stalled subscriber (the device's next read waits too).
    let got = -1;
    for (let waited = 0; waited < 10_000 && got !== ing.pending('publish').length; waited += 300) {
      got = ing.pending('publish').length;
      await sleep(300);
    }
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(bigCount);
    // Another device sends 300 small messages in one TCP write: all are published at once, the emitter's 100
    // delivery slots fill (each waits for the stalled subscriber), and the rest wait in its backlog, already
    // queued for the ingest's session.
    const small = await device();
    const smallCount = 300;
    small.s.socket.cork();
    for (let i = 1; i <= smallCount; i++) publish(small.s, small.topic, i, `small${i}:`);
    small.s.socket.uncork();
    await sleep(300);
    const seen = new Map<string, IPublishPacket>();
    const repeats: string[] = [];
    const take = (p: IPublishPacket): void => {
      const key = p.payload.toString().split(':')[0]!;
      const earlier = seen.get(key);
      if (earlier !== undefined && !(p.dup && p.messageId === earlier.messageId)) repeats.push(`${key}: id ${earlier.messageId} then ${p.messageId}, DUP ${String(p.dup)}`);
      seen.set(key, p);
    };
    const live = ing.pending('publish') as IPublishPacket[];
    expect(live.length - got).toBeGreaterThan(0); // some small ones were delivered…
    expect(live.length - got).toBeLessThan(smallCount); // …and the rest wait
    for (const p of live) take(p);
    await ing.drop(); // nothing acknowledged: everything stays queued for the session
    await sleep(100);
    ing = await ingest(); // emptyQueue re-sends the session's queue: first the copies sent before (DUP = 1)…
    // …then the ones queued but never sent: the small messages that waited in the backlog (live delivery is still
    // stalled, so only emptyQueue can send them). How long that takes depends on the machine's load: wait for it.
    const neverSent = () => (ing.pending('publish') as IPublishPacket[]).filter((p) => !p.dup).length;
    for (let waited = 0; neverSent() === 0 && waited < 10_000; waited += 50) await sleep(50);
    expect(neverSent()).toBeGreaterThan(0);
    stall.socket.resume(); // the backlog now reaches the new connection live
    const all = bigCount + smallCount;
    while (seen.size < all) {
      const p = await ing.next('publish', 15_000);
      take(p);
      ack(ing, p); // as the ingest does once stored
    }
    await sleep(500);
    for (const p of ing.pending('publish') as IPublishPacket[]) take(p);
    expect(seen.size).toBe(all);
    expect(repeats).toEqual([]);
    for (let waited = 0; big.s.pending('puback').length + small.s.pending('puback').length < all && waited < 5000; waited += 20) await sleep(20);
    expect(pubackIds(big.s)).toEqual(Array.from({ length: bigCount }, (_, i) => i + 1));
    expect(pubackIds(small.s)).toEqual(Array.from({ length: smallCount }, (_, i) => i + 1));
    expect(storeSessionDeliveryCounts.alreadySent - before.alreadySent).toBeGreaterThan(0); // the backlog met its sent copies
  }, 40_000);

  it('messages published while the reconnected ingest is still being re-sent its queue come after that queue, once, their PUBACKs wait for the ingest, and other subscribers get them meanwhile', async () => {
    const before = { ...storeSessionDeliveryCounts };
    let ing = await ingest();
    const watcher = await fixture.subscriber('watch', true, 0); // as `ruong rules` listens
    const dev = await device();
    const queued = 200;
    const body = (i: number) => `q${i}:`.padEnd(50_000, 'x'); // 10 MB: more than the sockets hold
    for (let i = 1; i <= queued; i++) publish(dev.s, dev.topic, i, body(i));
    const first = await publishes(ing, queued, 15_000);
    expect(first.length).toBe(queued);
    await ing.drop(); // nothing acknowledged: all 200 stay queued, sent once
    await sleep(100);
    // The ingest comes back but does not read yet: emptyQueue's re-sends wait for 'drain' part-way through the queue.
    ing = await fixture.session(INGEST, INGEST, false);
    ing.socket.pause();
    await sleep(300);
    const live = await device();
    const liveCount = 150; // more than the emitter's 100 delivery slots
    for (let i = 1; i <= liveCount; i++) publish(live.s, live.topic, i, `live:${i}`);
    const seenByWatcher = (await publishes(watcher, queued + liveCount, 10_000)).map((p) => p.payload.toString()).filter((b) => b.startsWith('live:'));
    expect(seenByWatcher).toEqual(Array.from({ length: liveCount }, (_, i) => `live:${i + 1}`)); // the replay holds nobody else up
    expect(pubackIds(live.s)).toEqual([]); // not stored yet
    ing.socket.resume();
    const got: IPublishPacket[] = [];
    while (got.length < queued + liveCount) {
      const p = await ing.next('publish', 15_000);
      got.push(p);
      ack(ing, p);
    }
    // The queue first, each once, as DUP = 1 repeats with their packet ids (MQTT-3.3.1-1); then the live message.
    expect(got.slice(0, queued).map((p) => p.payload.toString().split(':')[0])).toEqual(Array.from({ length: queued }, (_, i) => `q${i + 1}`));
    expect(got.slice(0, queued).every((p, i) => p.dup && p.messageId === first[i]!.messageId)).toBe(true);
    expect(bodies(got.slice(queued))).toEqual(Array.from({ length: liveCount }, (_, i) => `live:${i + 1}`));
    await sleep(300);
    expect(ing.pending('publish')).toEqual([]); // nothing twice
    expect(ing.isClosed()).toBe(false);
    expect(pubackIds(live.s)).toEqual(Array.from({ length: liveCount }, (_, i) => i + 1));
    expect(pubackIds(dev.s)).toEqual(Array.from({ length: queued }, (_, i) => i + 1));
    expect(storeSessionDeliveryCounts.heldForReplay - before.heldForReplay).toBe(liveCount);
  }, 40_000);

  it('a device\'s DUP = 1 retransmission reaches the ingest with DUP = 1, and a retained message still reaches later subscribers', async () => {
    const ing = await ingest();
    const dev = await device();
    publish(dev.s, dev.topic, 1, 'again', { dup: true });
    publish(dev.s, dev.topic, 2, 'kept', { retain: true });
    const [a, b] = await publishes(ing, 2);
    expect([a!.dup, b!.retain]).toEqual([true, false]); // RETAIN 0 to a live subscriber (MQTT-3.3.1-9)
    ack(ing, a!);
    ack(ing, b!);
    await sleep(150);
    expect(pubackIds(dev.s)).toEqual([1, 2]);
    const later = await fixture.subscriber('later', true, 1);
    const retained = await later.next('publish');
    expect([retained.payload.toString(), retained.retain]).toEqual(['kept', true]);
  });

  // MQTT-3.1.2-24: any control packet restarts the keepalive, the PUBACKs this path handles without Aedes too.
  it('an ingest whose only packets are PUBACKs on this path stays connected past 1.5 × its keepalive, and is closed once silent', async () => {
    const before = { ...storeSessionDeliveryCounts };
    const ing = await session(INGEST, INGEST, false, { keepalive: 1 });
    await sleep(50); // Aedes marks the client connected after emptyQueue
    const dev = await device();
    let id = 0;
    for (let round = 0; round < 6; round++) { // 3 s, twice the 1.5 s the broker allows a silent client
      publish(dev.s, dev.topic, ++id, `k${id}`);
      publish(dev.s, dev.topic, ++id, `k${id}`);
      const got = await publishes(ing, 2);
      ing.socket.write(Buffer.concat(got.map((p) => generate({ cmd: 'puback', messageId: p.messageId! })))); // one read
      await sleep(500);
    }
    expect(ing.isClosed()).toBe(false);
    expect(pubackIds(dev.s)).toHaveLength(12);
    expect(storeSessionDeliveryCounts.acked - before.acked).toBe(12);
    const since = Date.now();
    await ing.closed;
    const idle = (Date.now() - since) / 1000;
    expect(idle).toBeGreaterThan(0.5);
    expect(idle).toBeLessThan(3);
  }, 15_000);
});
