// A broker as `ruong broker` runs it in memory — the ingest's durable session created at start, a device's PUBACK
// held until the ingest acknowledged its copy — with raw MQTT 3.1.1 clients (test/helpers/mqtt-wire.ts), for the
// suites of the broker's fast paths (broker/store-session-delivery.ts, broker/device-publish.ts). Call
// `useIngestSessionBroker` at a test file's top level: it starts the broker before the file's tests, closes every
// session it opened after each test and acknowledges whatever is still queued for the ingest, and stops the broker at the end.
import type { IPublishPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createBrokerService, type BrokerService } from '../../broker/broker-service.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics, type Metrics } from '../../core/metrics.js';
import { ingestSessions } from '../../core/telemetry/ingest-shards.js';
import { connectWire, type ConnectOptions, type WireSession } from './mqtt-wire.js';

export const INGEST = 'ruong-ingest';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface IngestSessionBroker {
  readonly broker: BrokerService;
  readonly metrics: Metrics;
  readonly port: number;
  readonly secret: string;
  /** A session with the shared secret (CONNACK 0 checked), closed after the test. */
  readonly session: (clientId: string, username: string, clean: boolean, extra?: Partial<ConnectOptions>) => Promise<WireSession>;
  /** The ingest's durable session (its subscriptions exist since the broker started). */
  readonly ingest: () => Promise<WireSession>;
  /** A new device (clean session) and its uplink topic. */
  readonly device: () => Promise<{ s: WireSession; id: string; topic: string }>;
  /** Another session with the ingest's credential, subscribed to every device uplink at `qos`. */
  readonly subscriber: (name: string, clean: boolean, qos: 0 | 1) => Promise<WireSession>;
}

export function useIngestSessionBroker(opts: { secret: string; devicePrefix: string }): IngestSessionBroker {
  const { secret } = opts;
  const open: WireSession[] = [];
  let n = 0;
  let broker: BrokerService | undefined;
  const metrics = createMetrics();
  let port = 0;

  beforeAll(async () => {
    broker = createBrokerService({
      auth: { verifyDevice: (_id, s) => Promise.resolve(s === secret), verifyService: (name, s) => Promise.resolve(name === INGEST && s === secret) },
      log: silentLogger(), metrics, host: '127.0.0.1', port: 0, ingestSessions: ingestSessions(INGEST, 1),
    });
    await broker.start();
    port = broker.addresses().tcp;
  });
  afterAll(async () => { await broker?.stop(); });
  afterEach(async () => {
    for (const s of open.splice(0)) s.socket.destroy();
    await sleep(50);
    await drainIngestQueue();
  }, 30_000);

  // A test that failed half-way can leave messages queued for the ingest's durable session; the next test's
  // ingest would get them first. Acknowledge whatever is queued until the session has been quiet for 150 ms, so
  // every test starts from an empty queue (and one failure does not fail the tests after it).
  async function drainIngestQueue(): Promise<void> {
    const { session: s } = await connectWire(port, { clientId: INGEST, username: INGEST, password: Buffer.from(secret), clean: false });
    try {
      for (;;) {
        const p = await s.next('publish', 150).catch(() => undefined);
        if (p === undefined) break;
        s.send({ cmd: 'puback', messageId: p.messageId! });
      }
    } finally {
      s.socket.destroy();
      await sleep(50);
    }
  }

  const session: IngestSessionBroker['session'] = async (clientId, username, clean, extra = {}) => {
    const { session: s, connack } = await connectWire(port, { clientId, username, password: Buffer.from(secret), clean, ...extra });
    expect(connack.returnCode).toBe(0);
    open.push(s);
    return s;
  };

  return {
    get broker() { return broker!; },
    metrics,
    get port() { return port; },
    secret,
    session,
    ingest: async () => {
      const s = await session(INGEST, INGEST, false);
      await sleep(50); // Aedes marks the client connected after emptyQueue
      return s;
    },
    device: async () => {
      const id = `${opts.devicePrefix}-${++n}`;
      return { s: await session(id, id, true), id, topic: `devices/${id}/up` };
    },
    subscriber: async (name, clean, qos) => {
      const s = await session(`${INGEST}-${name}-${++n}`, INGEST, clean);
      s.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'devices/+/up', qos }] });
      await s.next('suback');
      return s;
    },
  };
}

/** The next `count` PUBLISH packets a session receives. */
export async function publishes(s: WireSession, count: number, ms = 5000): Promise<IPublishPacket[]> {
  const out: IPublishPacket[] = [];
  for (let i = 0; i < count; i++) out.push(await s.next('publish', ms));
  return out;
}

export const ack = (s: WireSession, p: IPublishPacket) => s.send({ cmd: 'puback', messageId: p.messageId! });
export const bodies = (ps: readonly IPublishPacket[]) => ps.map((p) => p.payload.toString());
/** The packet ids of the PUBACKs a session received, in order. */
export const pubackIds = (s: WireSession) => s.pending('puback').map((p) => (p as { messageId: number }).messageId);
