// broker/mqtt311.ts without sockets: the wrappers it puts around Aedes' hooks and persistence, on a stand-in
// broker and persistence (the wire behaviour, memory and Redis: test/integration/broker-mqtt311.test.ts), and the
// start-up check of the adapted packages' versions.
import { Readable } from 'node:stream';
import type { Aedes } from 'aedes';
import { describe, expect, it } from 'vitest';
import { SESSION_MARKER_TOPIC, adaptToMqtt311, enforcedKeepalive } from '../../../broker/mqtt311.js';
import { PINNED_VERSIONS, assertPinnedVersions } from '../../../broker/pinned-versions.js';

interface Sub { topic: string; qos: number }

function standIn(retained: { topic: string }[] = [], queued: object[] = []) {
  const subs = new Map<string, Sub[]>();
  const calls: string[] = [];
  const persistence = {
    subscriptionsByClient: (client: { id: string }) => Promise.resolve([...(subs.get(client.id) ?? [])]),
    addSubscriptions: (client: { id: string }, list: Sub[]) => {
      subs.set(client.id, [...(subs.get(client.id) ?? []), ...list]);
      return Promise.resolve();
    },
    removeSubscriptions: (client: { id: string }, topics: string[]) => {
      calls.push(`remove ${topics.join(',')}`);
      subs.set(client.id, (subs.get(client.id) ?? []).filter((s) => !topics.includes(s.topic)));
      return Promise.resolve();
    },
    outgoingStream: () => Readable.from(queued),
    // upstream's memory matching: `+` never matches an empty level
    createRetainedStream: (pattern: string) => Readable.from(pattern === '#' ? retained : []),
    createRetainedStreamCombi: (_patterns: string[]) => Readable.from([]),
  };
  const broker = {
    persistence,
    preConnect: (_c: unknown, packet: { keepalive: number }, done: (e: null, ok: boolean) => void) => { calls.push(`preConnect ${packet.keepalive}`); done(null, true); },
    authorizeSubscribe: (_c: unknown, sub: Sub, done: (e: null, s: Sub | null) => void) => { calls.push(`authorize ${sub.topic}`); done(null, sub); },
  };
  return { broker, persistence, subs, calls, aedes: broker as unknown as Aedes };
}

async function all<T>(stream: Readable): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item as T);
  return out;
}

describe('keepalive (§3.1.2.10, MQTT-3.1.2-24)', () => {
  it('enforces the server maximum for 0 and for anything above it, and the client value below it', () => {
    expect([0, 1, 60, 1200, 1201, 65_535].map((k) => enforcedKeepalive(k, 1200))).toEqual([1200, 1, 60, 1200, 1200, 1200]);
  });

  it('rewrites the CONNECT keepalive before Aedes sets its timer', () => {
    const { aedes, calls } = standIn();
    adaptToMqtt311(aedes, { keepaliveMaxS: 30, memory: true });
    for (const keepalive of [0, 10, 31]) aedes.preConnect({} as never, { keepalive } as never, () => undefined);
    expect(calls).toEqual(['preConnect 30', 'preConnect 10', 'preConnect 30']);
  });
});

describe('Session Present (MQTT-3.2.2-2): the session marker', () => {
  it('is added when a CleanSession = 0 session first connects, and returned from then on', async () => {
    const { aedes, persistence } = standIn();
    adaptToMqtt311(aedes, { keepaliveMaxS: 30, memory: true });
    expect(await persistence.subscriptionsByClient({ id: 'a' })).toEqual([]); // MQTT-3.2.2-3: new session
    expect(await persistence.subscriptionsByClient({ id: 'a' })).toEqual([{ topic: SESSION_MARKER_TOPIC, qos: 0 }]);
  });

  it('is never activated on restore, while other filters are still authorized', () => {
    const { aedes, calls } = standIn();
    adaptToMqtt311(aedes, { keepaliveMaxS: 30, memory: true });
    const granted: (Sub | null | undefined)[] = [];
    for (const topic of [SESSION_MARKER_TOPIC, 'a/b']) aedes.authorizeSubscribe({} as never, { topic, qos: 0 } as never, (_e, s) => granted.push(s));
    expect(granted).toEqual([null, { topic: 'a/b', qos: 0 }]);
    expect(calls).toEqual(['authorize a/b']);
  });

  it('survives an UNSUBSCRIBE naming it', async () => {
    const { aedes, persistence, subs, calls } = standIn();
    adaptToMqtt311(aedes, { keepaliveMaxS: 30, memory: true });
    await persistence.subscriptionsByClient({ id: 'a' });
    await persistence.addSubscriptions({ id: 'a' }, [{ topic: 'x', qos: 1 }]);
    await persistence.removeSubscriptions({ id: 'a' }, [SESSION_MARKER_TOPIC]);
    await persistence.removeSubscriptions({ id: 'a' }, ['x', SESSION_MARKER_TOPIC]);
    expect(calls).toEqual(['remove x']);
    expect(subs.get('a')).toEqual([{ topic: SESSION_MARKER_TOPIC, qos: 0 }]);
  });
});

describe('DUP on redelivery (MQTT-3.3.1-1)', () => {
  it('marks queued PUBLISH packets that were sent (have a packet id), not unsent ones or PUBRELs', async () => {
    const queued = [
      { cmd: 'publish', topic: 't', qos: 1, messageId: 7, dup: false },
      { cmd: 'publish', topic: 't', qos: 1, messageId: undefined, dup: false },
      { cmd: 'publish', topic: 't', qos: 1, messageId: null, dup: false }, // as msgpack brings it back from Redis
      { cmd: 'pubrel', messageId: 8 },
    ];
    const { aedes, persistence } = standIn([], queued);
    adaptToMqtt311(aedes, { keepaliveMaxS: 30, memory: false });
    expect((await all<{ dup?: boolean }>(persistence.outgoingStream())).map((p) => p.dup)).toEqual([true, false, false, undefined]);
    expect(queued[0]!.dup).toBe(false); // the stored packet is not changed
  });
});

describe('`+` matches an empty level in retained messages (§4.7.1.1, §4.7.1.3)', () => {
  it('matches pattern by pattern, in store order, as upstream does', async () => {
    const retained = [{ topic: 'foo//baz' }, { topic: 'foo/bar/baz' }, { topic: 'foo/' }, { topic: '/baz' }];
    const { aedes, persistence } = standIn(retained);
    adaptToMqtt311(aedes, { keepaliveMaxS: 30, memory: true });
    const topics = async (patterns: string[]) => (await all<{ topic: string }>(persistence.createRetainedStreamCombi(patterns))).map((p) => p.topic);
    expect(await topics(['foo/+/baz'])).toEqual(['foo//baz', 'foo/bar/baz']);
    expect(await topics(['foo/+'])).toEqual(['foo/']);
    expect(await topics(['+/baz', 'foo/#'])).toEqual(['/baz', 'foo//baz', 'foo/bar/baz', 'foo/']);
    expect((await all<{ topic: string }>(persistence.createRetainedStream('+/+/baz'))).map((p) => p.topic)).toEqual(['foo//baz', 'foo/bar/baz']);
  });

  it('leaves the Redis persistence (which matches empty levels itself) alone', () => {
    const { aedes, persistence } = standIn();
    const own = persistence.createRetainedStreamCombi;
    adaptToMqtt311(aedes, { keepaliveMaxS: 30, memory: false });
    expect(persistence.createRetainedStreamCombi).toBe(own);
  });
});

describe('pinned versions of the adapted packages', () => {
  it('passes with the installed packages', () => {
    expect(() => assertPinnedVersions()).not.toThrow();
  });

  it('names every package whose installed version differs, and what adapts it', () => {
    const installed = (name: string) => (name === 'aedes' ? '1.3.0' : PINNED_VERSIONS[name]!.version);
    expect(() => assertPinnedVersions(installed)).toThrow(/aedes 1\.3\.0 \(broker\/ is written against 1\.2\.0: broker\/mqtt311\.ts/);
  });
});
