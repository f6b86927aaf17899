// broker/direct-publish.ts does what Aedes' own `publish` does with the same store: the same scenario runs on
// stock Aedes (with broker/memory-persistence.ts) and on Aedes with publishDirectly, and every observation —
// queued messages of persistent sessions, retained messages, what the emitter's listeners got, the order of
// the `published` hook, the callback and the 'publish' event, errors — must be equal.
import { Aedes, type AedesPublishPacket } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { publishDirectly } from '../../../broker/direct-publish.js';
import { createEmitter } from '../../../broker/emitter.js';
import { createMemoryPersistence, indexedStoreOf } from '../../../broker/memory-persistence.js';

type Persistence = {
  addSubscriptions(client: { id: string }, subs: object[]): Promise<void>;
  outgoingStream(client: { id: string }): AsyncIterable<Record<string, unknown>>;
  createRetainedStream(pattern: string): AsyncIterable<Record<string, unknown>>;
};

const brokers: Aedes[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => new Promise<void>((resolve) => b.close(() => resolve()))));
});

async function start(direct: boolean) {
  const log: string[] = [];
  const persistence = createMemoryPersistence();
  const broker = await Aedes.createBroker({
    id: 'broker-1', persistence, mq: createEmitter(),
    published: (packet, _client, done) => { log.push(`published ${packet.topic}`); done(null); },
  });
  brokers.push(broker);
  if (direct) publishDirectly(broker, indexedStoreOf(persistence)!, (err) => { throw err; });
  broker.on('publish', (packet) => { if (!packet.topic.startsWith('$SYS/')) log.push(`event ${packet.topic}`); });
  return { broker, log, store: persistence as Persistence };
}

const strip = (packets: Record<string, unknown>[]) => packets.map(({ brokerCounter: _c, ...rest }) => rest);
async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The scenario: persistent sessions with wildcard, $SYS and QoS 0 filters; QoS 0/1, retained, $SYS, too deep. */
async function observe(direct: boolean) {
  const { broker, log, store } = await start(direct);
  await store.addSubscriptions({ id: 'ingest' }, [{ topic: 'devices/+/up', qos: 1 }]);
  await store.addSubscriptions({ id: 'all' }, [{ topic: '#', qos: 1 }, { topic: 'devices/d2/up', qos: 1 }]);
  await store.addSubscriptions({ id: 'sys' }, [{ topic: '$SYS/x/#', qos: 1 }]);
  await store.addSubscriptions({ id: 'qos0' }, [{ topic: 'devices/#', qos: 0 }]);
  const heard: Record<string, unknown>[] = [];
  const listen = (packet: object, done: () => void) => {
    heard.push({ ...packet, brokerCounter: undefined });
    done();
  };
  await new Promise<void>((resolve) => broker.subscribe('devices/#', listen, resolve));
  await new Promise<void>((resolve) => broker.subscribe('$SYS/x/#', listen, resolve));

  const fakeClient = { id: 'd1' } as never;
  const publish = (packet: Partial<AedesPublishPacket>, client: unknown = null) => new Promise<string>((resolve) => {
    // Aedes' typings omit publish's optional client argument (aedes.js publish(packet, client, done)).
    const publishAs = broker.publish.bind(broker) as unknown as (p: AedesPublishPacket, c: unknown, done: (err?: Error | null) => void) => void;
    publishAs({ cmd: 'publish', qos: 0, dup: false, retain: false, payload: Buffer.from('p'), ...packet } as AedesPublishPacket, client, (err) => {
      log.push(`done ${packet.topic} ${err ? err.message : 'ok'}`);
      resolve(err ? err.message : 'ok');
    });
  });
  const results = [
    await publish({ topic: 'devices/d1/up', qos: 1, payload: Buffer.from('a') }, fakeClient),
    await publish({ topic: 'devices/d2/up', qos: 1, payload: Buffer.from('b') }),
    await publish({ topic: 'devices/d1/up', qos: 0, payload: Buffer.from('c') }),
    await publish({ topic: 'devices/d1/state', qos: 1, retain: true, payload: Buffer.from('r') }),
    await publish({ topic: '$SYS/x/y', qos: 1, payload: Buffer.from('s') }),
    await publish({ topic: Array.from({ length: 120 }, () => 'l').join('/'), qos: 1 }),
  ];
  const queued: Record<string, unknown> = {};
  for (const id of ['ingest', 'all', 'sys', 'qos0']) queued[id] = strip(await all(store.outgoingStream({ id })));
  const retained = strip(await all(store.createRetainedStream('devices/#')));
  return { results, log, heard, queued, retained };
}

describe('publishDirectly', () => {
  it('observes exactly as Aedes\' own publish over the same store', async () => {
    const stock = await observe(false);
    const direct = await observe(true);
    expect(direct).toEqual(stock);
    // And the scenario did exercise what it claims to.
    expect(stock.queued.ingest).toHaveLength(2);
    expect(stock.queued.all).toHaveLength(4); // not the $SYS message ('#' does not match $ topics), d2 once per filter
    expect(stock.queued.sys).toHaveLength(1);
    expect(stock.queued.qos0).toHaveLength(0);
    expect(stock.retained).toHaveLength(1);
    expect(stock.results.at(-1)).toBe('topic has too many levels');
    expect(stock.heard[0]).toMatchObject({ topic: 'devices/d1/up', clientId: 'd1' });
  });

  it('keeps the counter order of the broker: each message gets the next brokerCounter', async () => {
    const { broker, store } = await start(true);
    await store.addSubscriptions({ id: 'ingest' }, [{ topic: 't/#', qos: 1 }]);
    for (let i = 0; i < 5; i++) broker.publish({ cmd: 'publish', topic: `t/${i}`, qos: 1, dup: false, retain: false, payload: Buffer.from([i]) }, () => undefined);
    const queued = await all(store.outgoingStream({ id: 'ingest' }));
    const counters = queued.map((p) => p.brokerCounter as number);
    expect(queued.map((p) => p.topic)).toEqual(['t/0', 't/1', 't/2', 't/3', 't/4']);
    expect(counters).toEqual([...counters].sort((a, b) => a - b));
  });
});
