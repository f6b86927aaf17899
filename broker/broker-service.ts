// The MQTT edge: Aedes 1.x behind our own listeners (TCP, WebSocket, TLS). Every connection passes a
// FrameGuard (packet size, MQTT 3.1.1 conformance, publish rate) before Aedes sees a byte; logins are checked
// against the registry's hashed secrets (broker/authenticate.ts) and topics against per-identity ACLs
// (broker/acl.ts). Persistence is memory or Redis (broker/persistence.ts).
import './quiet-packet-debug.js'; // first: before Aedes loads mqtt-packet
import { Aedes, type AedesPublishPacket, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Duplex } from 'node:stream';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import { interopTopics } from '../core/telemetry/interop-topics.js';
import { shardTopic } from '../core/telemetry/ingest-shards.js';
import { mayPublish, maySubscribe, type Identity } from './acl.js';
import { BAD_CREDENTIALS, authenticateClient, type BrokerAuth } from './authenticate.js';
import { ConnectionGuard, guardOf, type GuardSettings } from './guarded-connection.js';
import { IdleCompaction, defaultIdleCompaction, type IdleCompactionOptions } from './idle-compaction.js';
import { createLimitReporter } from './limit-reporter.js';
import { createEmitter, Emitter } from './emitter.js';
import { createListeners, type ConnectionMeta, type TlsMaterial } from './listeners.js';
import { registerLocally } from './local-registration.js';
import { publishDirectly } from './direct-publish.js';
import { DevicePublishes } from './device-publish.js';
import { ReadPause } from './read-pause.js';
import { deliverToStoreSessions } from './store-session-delivery.js';
import { createMemoryPersistence, indexedStoreOf } from './memory-persistence.js';
import { adaptToMqtt311, enforcedKeepalive } from './mqtt311.js';
import type { Verdict } from './packet-checks.js';
import { createBrokerPersistence, type BrokerPersistence } from './persistence.js';
import { forgetConnectPacket, slimParser } from './slim-parser.js';
import { createTokenBuckets } from './token-bucket.js';
import type { IngestSession } from '../core/telemetry/ingest-shards.js';

export type { BrokerAuth } from './authenticate.js';

export interface RateLimit {
  /** Tokens per second; 0 = no limit. */
  readonly ratePerS: number;
  readonly burst: number;
}

export interface BrokerLimits {
  readonly maxPacketBytes: number;
  readonly keepaliveMaxS: number;
  readonly connectTimeoutS: number;
  /** 0 = a stalled subscriber is never dropped. */
  readonly drainTimeoutS: number;
  /** New connections per source address. */
  readonly connectRate: RateLimit;
  /** PUBLISH packets per device; over it the device is disconnected. */
  readonly publishRate: RateLimit;
}

/** Without explicit limits (library use, benchmarks) the rate limits are off; `ruong` passes its config. */
export const defaultBrokerLimits: BrokerLimits = {
  maxPacketBytes: 65_536, keepaliveMaxS: 1200, connectTimeoutS: 10, drainTimeoutS: 60,
  connectRate: { ratePerS: 0, burst: 1 }, publishRate: { ratePerS: 0, burst: 1 },
};

export interface BrokerOptions {
  readonly auth: BrokerAuth;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly host: string;
  readonly port: number;
  /** WebSocket listener port; undefined = no WebSocket listener. */
  readonly wsPort?: number | undefined;
  /** TLS listener; undefined = none. */
  readonly tls?: (TlsMaterial & { readonly port: number }) | undefined;
  readonly allowAnonymous?: boolean;
  readonly limits?: Partial<BrokerLimits> | undefined;
  /** redis://… = sessions and queued messages in Redis; undefined = in memory. */
  readonly redisUrl?: string | undefined;
  /** INGEST_SHARDS: > 1 = ingest-bound uplinks are published under ingest/{shard}/… (core/telemetry/ingest-shards.ts). */
  readonly ingestShards?: number | undefined;
  /**
   * The ingest's durable sessions (core/telemetry/ingest-shards.ts `ingestSessions`). In memory they are created
   * at start and a QoS 1 PUBACK waits until they have acknowledged (stored) the message (broker/store-acks.ts);
   * with Redis the PUBACK waits for Redis. Without them (library use, broker benchmarks) memory PUBACKs are not held.
   */
  readonly ingestSessions?: readonly IngestSession[] | undefined;
  /** One major GC once a burst of connects is over (broker/idle-compaction.ts); false = never. Default: on. */
  readonly idleCompaction?: IdleCompactionOptions | false | undefined;
}

export interface BrokerService extends Service {
  /** Ports actually bound (useful with port 0). */
  addresses(): { tcp: number; ws: number | undefined; tls: number | undefined };
  isReady(): boolean;
  /** Closes a device's live session at once (e.g. after revocation or a new secret). */
  disconnect(deviceId: string): boolean;
  isConnected(clientId: string): boolean;
}

const ignore = (): void => undefined;

export function createBrokerService(opts: BrokerOptions): BrokerService {
  const { log, metrics } = opts;
  const limits: BrokerLimits = { ...defaultBrokerLimits, ...opts.limits };
  const ingestShards = opts.ingestShards ?? 1;
  const identities = new WeakMap<Client, Identity>();
  const wills = new WeakMap<Client, string>();
  const drained = new WeakSet<Client>();
  const reporter = createLimitReporter(log, metrics);
  const publishBuckets = createTokenBuckets(limits.publishRate);
  const overPublishRate: Verdict = { kind: 'limit', limit: 'publish_rate', reason: `more than ${limits.publishRate.ratePerS} PUBLISH/s (burst ${limits.publishRate.burst}), further ahead than half its keepalive can absorb` };
  let broker: Aedes | undefined;
  let persistence: BrokerPersistence | undefined;
  let readPause: ReadPause | undefined; // with our in-memory emitter only (Redis: mqemitter-redis has no backlog here)
  let devicePublishes: DevicePublishes | undefined; // with broker/direct-publish.ts only
  let stopped: Promise<void> | undefined;
  // Waits while messages flow (Aedes counts every message it publishes): see broker/idle-compaction.ts.
  const compaction = opts.idleCompaction === false ? undefined : new IdleCompaction({
    log, traffic: { count: () => (broker as unknown as { counter?: number } | undefined)?.counter ?? 0, busy: defaultIdleCompaction.busyMessages },
    ...(opts.idleCompaction ?? defaultIdleCompaction),
  });

  const liveClients = () => (broker as unknown as { clients: Record<string, Client | undefined> } | undefined)?.clients ?? {};
  const guarded = (client: Client | null | undefined) => guardOf(client?.conn);
  let guardSettings: GuardSettings | undefined; // one for all connections, made at start (holdAcks depends on the persistence)
  let holdAcks = false; // Redis, or memory with the ingest's sessions (set at start)

  const listeners = createListeners({
    host: opts.host, tcpPort: opts.port, wsPort: opts.wsPort, tls: opts.tls, maxPacketBytes: limits.maxPacketBytes, connectTimeoutMs: limits.connectTimeoutS * 1000,
    connectRate: createTokenBuckets(limits.connectRate),
    onRateLimited: (address) => reporter.report({ kind: 'limit', limit: 'connect_rate', reason: 'too many new connections from this address' }, { address }),
    handle: (conn, meta) => handle(conn, meta),
  });

  function handle(conn: Duplex, meta: ConnectionMeta): void {
    const b = broker;
    if (!b || b.closed) {
      conn.destroy();
      return;
    }
    guardSettings ??= {
      maxPacketBytes: limits.maxPacketBytes, holdAcks, readPause,
      onVerdict: (guard, verdict) => reporter.report(verdict, { clientId: guard.connect?.clientId, address: guard.remoteAddress }),
    };
    new ConnectionGuard(conn, guardSettings, meta.remoteAddress, meta.peerCommonName); // hooks itself into conn
    conn.on('error', ignore); // Aedes listens too; this keeps a late error from being unhandled
    const client = b.handle(conn, meta.req);
    slimParser(client);
    devicePublishes?.attach(client);
  }

  /**
   * The device's PUBLISH rate, charged per packet as it arrives (before Aedes buffers it). Over the rate the broker
   * stops reading from the device until it is back under it: TCP holds the device back, its PUBACKs keep coming,
   * nothing is refused or lost — a device replaying hours of buffered readings after an outage slows down instead
   * of being cut off (closing it made it reconnect and resend into an empty bucket, and it never got through).
   * Only a debt it could not repay within half its keepalive (far beyond any field device) closes the connection.
   */
  function limitPublishes(client: Client, identity: Identity): void {
    const conn = guarded(client);
    if (!conn || identity.kind === 'service' || limits.publishRate.ratePerS <= 0) return;
    const key = identity.kind === 'device' ? identity.deviceId : `anonymous:${client.id}`;
    const maxWaitMs = 500 * enforcedKeepalive(conn.connect?.keepalive ?? 0, limits.keepaliveMaxS);
    conn.publishHook = () => {
      const waitMs = publishBuckets.charge(key);
      if (waitMs === 0) return undefined;
      if (waitMs > maxWaitMs) return overPublishRate;
      conn.throttle(waitMs);
      metrics.mqttPublishThrottles.inc();
      return undefined;
    };
  }

  function authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (err: AuthenticateError | null, ok: boolean | null) => void): void {
    const live = liveClients()[client.id];
    const attempt = {
      clientId: client.id, username, password, willTopic: wills.get(client), peerCommonName: guarded(client)?.peerCommonName,
      liveIdentity: live && live !== client ? identities.get(live) : undefined,
    };
    authenticateClient(opts.auth, opts.allowAnonymous === true, attempt).then(
      (identity) => {
        identities.set(client, identity);
        limitPublishes(client, identity);
        if (live && live !== client && !live.closed) {
          // MQTT-3.1.4-2: the same credential connecting again replaces its live session (Aedes closes the old one).
          metrics.mqttSessionTakeovers.inc();
          log.info({ clientId: client.id }, 'mqtt session taken over by a new connection with the same credential');
        }
        done(null, true);
      },
      (err: AuthenticateError) => {
        metrics.mqttAuthFailures.inc({ reason: (err.returnCode as number) === BAD_CREDENTIALS ? 'credentials' : 'identity' });
        log.debug({ clientId: client.id, reason: err.message }, 'mqtt login refused');
        done(err, false);
      },
    );
  }

  function onClientError(client: Client, err: Error): void {
    const message = err.message;
    if (message === 'drain timeout') {
      // Aedes fails every write waiting on the drain with this error: count the connection once.
      if (drained.has(client)) return;
      drained.add(client);
      reporter.report({ kind: 'limit', limit: 'drain_timeout', reason: `socket full for ${limits.drainTimeoutS} s` }, { clientId: client.id ?? undefined, address: guarded(client)?.remoteAddress });
    } else if (message === 'keep alive timeout') {
      // MQTT-3.1.2-24: silent for 1.5 × its keepalive (0 or above the maximum counts as the maximum, broker/mqtt311.ts).
      reporter.report({ kind: 'limit', limit: 'keepalive', reason: 'no packet within 1.5 × the keepalive' }, { clientId: client.id ?? undefined, address: guarded(client)?.remoteAddress });
    } else if (message === 'connect did not arrive in time') {
      reporter.report({ kind: 'limit', limit: 'connect_timeout', reason: `no CONNECT within ${limits.connectTimeoutS} s` }, { address: guarded(client)?.remoteAddress });
    } else {
      log.debug({ clientId: client.id, err }, 'mqtt client error');
    }
  }

  /** Aedes' authorizePublish as a plain call (also broker/device-publish.ts's, for every QoS 1 PUBLISH it handles). */
  function authorizePublish(client: Client | null, packet: PublishPacket): Error | null {
    const identity = client ? identities.get(client) : undefined;
    if (client && (!identity || !mayPublish(identity, packet.topic))) {
      metrics.mqttDenied.inc({ action: 'publish' });
      log.debug({ clientId: client.id, topic: packet.topic }, 'mqtt publish refused');
      return new Error('publish not authorized'); // Aedes closes the connection (3.1.1 has no negative PUBACK)
    }
    // ThingsBoard devices publish to a topic without their id; scope it to the authenticated device (issue 4).
    if (identity?.kind === 'device' && packet.topic === interopTopics.thingsboardTelemetry) packet.topic = interopTopics.thingsboard(identity.deviceId);
    // Sharded ingest (issue 9): route the uplink to its device's shard session (ingest-shards.ts).
    if (client && ingestShards > 1) packet.topic = shardTopic(packet.topic, ingestShards);
    return null;
  }

  async function createAedes(p: BrokerPersistence): Promise<Aedes> {
    // In memory: our O(1) emitter and indexed outgoing queues instead of Aedes' defaults (issue 3, speed), and
    // Aedes' publish as plain calls into that store (broker/direct-publish.ts).
    const memoryStore = p.persistence ? undefined : createMemoryPersistence();
    const mq = p.mq ?? createEmitter();
    if (mq instanceof Emitter) readPause = new ReadPause(mq, { onHold: () => metrics.mqttReadHolds.inc() });
    const aedes = await Aedes.createBroker({
      persistence: p.persistence ?? memoryStore,
      mq,
      connectTimeout: limits.connectTimeoutS * 1000,
      drainTimeout: limits.drainTimeoutS * 1000,
      preConnect: (client, packet, done) => {
        forgetConnectPacket(client, packet);
        if (packet.will) wills.set(client, packet.will.topic);
        done(null, true);
      },
      authenticate,
      authorizePublish: (client, packet, done) => done(authorizePublish(client, packet)),
      authorizeSubscribe: (client, sub, done) => {
        const identity = identities.get(client);
        if (!identity || !maySubscribe(identity, sub.topic)) {
          metrics.mqttDenied.inc({ action: 'subscribe' });
          done(null, null); // SUBACK 0x80 for this filter
          return;
        }
        done(null, sub);
      },
      // With a durable persistence the QoS 1 message is now stored: its held PUBACK may go (broker/ack-gate.ts).
      // In memory no PUBACK is held, so Aedes keeps its own no-op hook (one call less per message).
      ...(p.durable ? {
        published: (packet: AedesPublishPacket, client: Client | null, done: (err?: Error | null) => void) => {
          const messageId = (packet as { messageId?: number }).messageId;
          if (client && packet.qos === 1 && messageId !== undefined) guarded(client)?.released(messageId);
          done(null);
        },
      } : {}),
    });
    // Keepalive 0, Session Present, DUP on redelivery, `+` and empty levels in retained messages (issue 14).
    adaptToMqtt311(aedes, { keepaliveMaxS: limits.keepaliveMaxS, memory: memoryStore !== undefined });
    if (mq instanceof Emitter) registerLocally(aedes); // no other broker to tell about a new client
    const store = indexedStoreOf(memoryStore);
    holdAcks = p.durable;
    if (store?.answersSynchronously) {
      const sessions = opts.ingestSessions ?? [];
      const release = (publisher: Client, messageId: number) => guarded(publisher)?.released(messageId);
      if (sessions.length > 0) {
        // Nothing lost without Redis (issue 14): PUBACK once the ingest has stored the message (store-acks.ts).
        await store.createStoreSessions(sessions);
        store.onStored = (hold) => release(hold.publisher, hold.messageId);
        holdAcks = true;
        // The ingest's deliveries and PUBACKs without Aedes' per-message copies (store-session-delivery.ts).
        if (mq instanceof Emitter) deliverToStoreSessions(aedes, store, mq);
      }
      publishDirectly(aedes, store, (err) => log.error({ err }, 'retained message not stored'), holdAcks ? release : undefined);
      // Clients' QoS 1 PUBLISH packets without Aedes' handler (device-publish.ts).
      devicePublishes = new DevicePublishes(aedes, authorizePublish, readPause);
    }
    return aedes;
  }

  return {
    name: 'broker',

    async start() {
      persistence = await createBrokerPersistence(opts.redisUrl);
      broker = await createAedes(persistence);
      broker.on('client', () => {
        metrics.mqttConnections.inc();
        compaction?.connected();
      });
      broker.on('clientDisconnect', () => metrics.mqttConnections.dec());
      broker.on('clientError', onClientError);
      broker.on('connectionError', onClientError);
      await listeners.start();
      if (opts.allowAnonymous) log.warn('MQTT_ALLOW_ANONYMOUS=true: clients without credentials are accepted — local experiments only');
      log.info({ ...listeners.addresses(), persistence: persistence.kind }, 'mqtt broker listening');
    },

    addresses: () => listeners.addresses(),

    isReady() {
      return broker !== undefined && !broker.closed && listeners.listening();
    },

    disconnect(deviceId: string) {
      const client = liveClients()[deviceId];
      if (!client) return false;
      log.info({ clientId: deviceId }, 'mqtt session closed by the platform');
      client.close();
      return true;
    },

    isConnected: (clientId: string) => liveClients()[clientId]?.closed === false,

    stop() {
      stopped ??= (async () => {
        const closed = listeners.stopAccepting();
        readPause?.close();
        compaction?.close();
        if (broker) await new Promise<void>((resolve) => broker!.close(() => resolve()));
        listeners.destroyConnections();
        await closed;
        await persistence?.close();
      })();
      return stopped;
    },
  };
}
