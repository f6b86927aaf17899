// Where the broker keeps sessions, subscriptions, retained messages and queued QoS 1 messages:
// in memory (default; lost with the process) or in Redis (aedes-persistence-redis + mqemitter-redis,
// chosen by REDIS_URL), so messages queued for an offline subscriber — the ingest — survive a restart
// and several broker processes can share one Redis (docs/architecture.md, scale beyond one machine).
// The Redis packages (ioredis and its dependencies: ≈ 8 MB of a broker's base RSS) are loaded only with REDIS_URL.
import type aedesPersistenceRedis from 'aedes-persistence-redis';

export interface BrokerPersistence {
  readonly kind: 'memory' | 'redis';
  /** Passed to Aedes as `persistence` / `mq`; undefined = Aedes' in-memory defaults. */
  readonly persistence: unknown;
  readonly mq: unknown;
  /** Survives a crash of this process: PUBACKs then wait until a message is persisted. */
  readonly durable: boolean;
  /** Releases the Redis connections the persistence opened (Aedes' close() only closes the mq). */
  close(): Promise<void>;
}

/** ioredis options from redis[s]://[user:password@]host[:port][/db]. */
export function redisOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port === '' ? 6379 : Number(u.port),
    username: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

export async function createBrokerPersistence(redisUrl: string | undefined): Promise<BrokerPersistence> {
  if (!redisUrl) return { kind: 'memory', persistence: undefined, mq: undefined, durable: false, close: () => Promise.resolve() };
  const [{ default: aedesPersistenceRedis }, { default: mqemitterRedis }, { Redis }] = await Promise.all([import('aedes-persistence-redis'), import('mqemitter-redis'), import('ioredis')]);
  const persistence = aedesPersistenceRedis({
    ...redisOptions(redisUrl),
    // The package delivers at most 1000 queued messages on CONNECT and keeps the rest until the client's
    // next connection; the ingest must get its whole backlog at once.
    maxSessionDelivery: -1,
  });
  coalesceAddSubscriptions(persistence);
  // ioredis 5.8.2+ can send its ready check (INFO) after the emitter's SUBSCRIBE on a fresh or reconnected connection;
  // Redis refuses it in subscriber mode and ioredis throws that error uncaught ("Connection in subscriber mode, only
  // subscriber commands may be used", ioredis issue #2037) — seen twice in our CI. The subscriber connection skips
  // the ready check and the client-info handshake; the publisher skips the handshake. mqemitter-redis quits both
  // connections on close, as it does its own.
  const options = { ...redisOptions(redisUrl), disableClientInfo: true };
  const mq = mqemitterRedis({ subConn: new Redis({ ...options, enableReadyCheck: false }), pubConn: new Redis(options) });
  let closed: Promise<void> | undefined;
  return {
    kind: 'redis',
    persistence,
    mq,
    durable: true,
    close() {
      closed ??= persistence.destroy().catch(() => undefined);
      return closed;
    },
  };
}

/**
 * Works around a hang found here: for a SUBSCRIBE with several filters and CleanSession = 0, Aedes 1.2 calls
 * persistence.addSubscriptions(client, packet.subscriptions) once per filter, with the same whole list; the
 * Redis persistence then waits for its own broadcast keyed by client id + first topic, so the concurrent
 * calls overwrite each other's waiter and the SUBACK never goes out (with mqemitter-redis; the in-memory
 * emitter answers too fast to collide). Calls with the same list share one store.
 */
function coalesceAddSubscriptions(persistence: ReturnType<typeof aedesPersistenceRedis>): void {
  const add = persistence.addSubscriptions.bind(persistence);
  const inFlight = new WeakMap<object, Promise<unknown>>();
  persistence.addSubscriptions = (client, subs, cb) => {
    if (cb) return add(client, subs, cb);
    let stored = inFlight.get(subs);
    if (!stored) {
      stored = add(client, subs) ?? Promise.resolve();
      inFlight.set(subs, stored);
    }
    return stored;
  };
}
