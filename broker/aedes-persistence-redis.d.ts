// aedes-persistence-redis ships no types. Its main export wraps the async Redis persistence in aedes-persistence's
// CallBackPersistence, which Aedes 1.x drives with promises (no callback passed) and whose retained, outgoing
// and will streams are Node Readables (Aedes pipes them).
declare module 'aedes-persistence-redis' {
  interface RedisPersistenceOptions {
    host?: string;
    port?: number;
    username?: string | undefined;
    password?: string | undefined;
    db?: number;
    tls?: object | undefined;
    /** Queued messages delivered to a client on CONNECT: at most this many (default 1000). */
    maxSessionDelivery?: number;
  }
  interface RedisPersistence {
    setup(broker: unknown): Promise<void>;
    addSubscriptions(client: unknown, subs: object, cb?: (err?: Error | null) => void): Promise<unknown> | undefined;
    destroy(): Promise<void>;
  }
  function aedesPersistenceRedis(opts?: RedisPersistenceOptions): RedisPersistence;
  export = aedesPersistenceRedis;
}
