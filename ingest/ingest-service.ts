// The ingest: subscribe (QoS 1, clean = false, fixed client id) to device uplinks and the interop topics
// (ThingsBoard, ChirpStack, TTS) — or, sharded (issue 9), hold the shard sessions a coordinator hands over —
// → decode any format (core/telemetry/decoders) → check → flag → enrich from the registry → batch → store,
// or the disk spool while the store is down → PUBACK. Bad input becomes a dead letter with its reason (kept,
// counted) and is acknowledged; valid readings beside it are stored. Sequence gaps are counted per device as
// batches are stored, the devices' sequence state stored with them (ingest/sequence-tracker.ts); rollups are
// refreshed and raw readings pruned on timers.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { RuongError, type ErrorCode } from '../core/errors.js';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { DeviceContext } from '../core/registry/types.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { DecodeError, type Decoded, type IncomingMessage, type WireFormat } from '../core/telemetry/decoders/index.js';
import { shardClientId, shardFilter, unshardTopic, unshardedIngestFilters } from '../core/telemetry/ingest-shards.js';
import { createFlagTracker } from '../core/telemetry/plausibility.js';
import type { Reading, ReadingFlag, StoredReading } from '../core/telemetry/reading.js';
import { asArray, ReadingColumns, type ReadingBatch } from '../core/telemetry/reading-columns.js';
import { createAckClient, type AckClient } from './ack-client.js';
import { createBatcher, type Batcher } from './batcher.js';
import { createDurableWriter, type DurableWriter } from './durable-writer.js';
import { createIngestMetrics } from './ingest-metrics.js';
import { startMaintenance, type Maintenance } from './maintenance.js';
import { createRegistryDecoder, LookupNeeded, type DecodeRegistry, type RegistryDecoded } from './registry-decode.js';
import { createSequenceTracker } from './sequence-tracker.js';
import type { ShardCoordinator } from './shard-coordinator.js';
import { createSpool, type Spool } from './spool.js';
import { createTally } from './tally.js';

/**
 * What the ingest reads and writes in the registry: the device lookups with their synchronous cache peeks (the
 * per-message path, ingest/registry-decode.ts) and dead letters.
 */
export interface IngestRegistry extends DecodeRegistry {
  addDeadLetter(input: { deviceId: string | undefined; cooperativeId: string | undefined; topic: string; code: string; reason: string; payload: Buffer | undefined }): Promise<void>;
}

export interface IngestOptions {
  readonly broker: { host: string; port: number; username: string; password: string; clientId?: string };
  /** Other brokers of a cluster, tried in turn after a disconnect. */
  readonly alternateBrokers?: readonly { host: string; port: number }[] | undefined;
  /** Sharded ingest (issue 9): consume the shards this coordinator hands over instead of every uplink. */
  readonly sharding?: ShardCoordinator | undefined;
  readonly store: ReadingStore;
  readonly registry: IngestRegistry;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Most readings in one write (INGEST_BATCH_SIZE); batches follow the load below it (ingest/batcher.ts). */
  readonly batchSize: number;
  /** Longest a reading waits for its write to start while the store is free (INGEST_BATCH_MS). */
  readonly batchDelayMs: number;
  /** Batches go here while the store is down (DATA_DIR/spool). */
  readonly spoolDir: string;
  readonly spoolMaxBytes?: number | undefined;
  /** Raw retention: older readings are dead letters, and raw readings older than this are pruned. */
  readonly rawRetentionMs?: number | undefined;
  /** How often rollups are refreshed (0 = never). */
  readonly rollupRefreshMs?: number | undefined;
  /** Messages awaiting their PUBACK before the ingest stops reading from the broker. */
  readonly maxPending?: number | undefined;
  readonly now?: () => number;
}

export interface IngestService extends Service {
  /** Every batch of readings once it is stored (the rules engine's in-process ReadingSource). */
  readonly events: EventEmitter<{ stored: [readonly StoredReading[]] }>;
  /** Handles one message as if it came from the broker; resolves when it may be acknowledged. */
  handle(topic: string, payload: Buffer): Promise<void>;
}

const DEFAULT_SPOOL_BYTES = 512 * 1024 * 1024;
/** More messages than this waiting for their PUBACK = a burst: rollup refreshes wait (ingest/maintenance.ts). */
const BUSY_PENDING = 500;
/** How long taking a shard waits for its subscription before the coordinator moves on (the client keeps trying). */
const SHARD_CONNECT_WAIT_MS = 5000;
/** What handle() returns for a message with nothing to store (dead letter, ignored): acknowledged at once. */
const DONE = Promise.resolve();

/** A message waiting for a registry lookup on its topic, and how its promise is settled (with accept()'s). */
interface Waiting { readonly message: IncomingMessage; readonly resolve: (ack: Promise<void>) => void }

export function createIngestService(opts: IngestOptions): IngestService {
  const { log, metrics, registry } = opts;
  const now = opts.now ?? Date.now;
  const im = createIngestMetrics(metrics.registry);
  const events = new EventEmitter<{ stored: [readonly StoredReading[]] }>();
  const flags = createFlagTracker();
  const sequences = createSequenceTracker({ store: opts.store, metrics: im, now });
  const tally = createTally();
  const received = tally.counter(metrics.messagesReceived);
  const decodedBy = tally.labelled<WireFormat>(im.decoded, 'format');
  const flagged = tally.labelled<ReadingFlag>(im.flagged, 'flag');
  /** One subscription of every uplink, or (sharded) one durable session per shard held: key = shard, -1 = all. */
  const clients = new Map<number, AckClient>();
  const pendingAcks = () => { let n = 0; for (const c of clients.values()) n += c.pending(); return n; };
  let batcher: Batcher<StoredReading> | undefined;
  /** Column batches whose write is over, for the next batches (at most two are ever in use at once: one written, one filling). */
  const spareColumns: ReadingColumns[] = [];
  let spool: Spool | undefined;
  let durable: DurableWriter | undefined;
  let maintenance: Maintenance | undefined;
  let stopping: Promise<void> | undefined;

  const decoder = createRegistryDecoder(registry, { maxAgeMs: opts.rawRetentionMs });
  /**
   * Dead letters being written, one after another (so they are kept in the order they were found): the message
   * is acknowledged without waiting for its dead letter; stop() waits for them. Never rejects (failures are logged).
   */
  let deadLetterWrites: Promise<void> = Promise.resolve();

  function deadLetter(topic: string, deviceId: string | undefined, code: ErrorCode, reason: string, payload: Buffer | undefined): void {
    metrics.deadLetters.inc({ code });
    const cached = deviceId === undefined ? undefined : registry.cachedDeviceContext(deviceId);
    deadLetterWrites = deadLetterWrites
      .then(async () => {
        const ctx = cached ?? (deviceId === undefined ? undefined : await registry.deviceContext(deviceId));
        await registry.addDeadLetter({ deviceId, cooperativeId: ctx?.cooperativeId, topic, code, reason, payload });
      })
      .catch((err: unknown) => log.error({ err, topic, code }, 'dead letter could not be recorded'));
  }

  /**
   * Flags from the stateful rules, the registry's tenancy added (sequence numbers are counted as the batch is
   * stored: ingest/sequence-tracker.ts). The decoder already
   * gave each reading its tenancy (the resolved device's `tenancy`, ingest/registry-decode.ts): such a reading
   * without a new flag is stored as it is, in the decoder's own array (one object per reading, not two).
   */
  function enrich(decoded: Decoded, ctx: DeviceContext): StoredReading[] {
    const out = decoded.readings as StoredReading[];
    for (let i = 0; i < out.length; i++) {
      const r: Partial<StoredReading> & Reading = out[i]!;
      const extra = flags.flags(r.deviceId, r.metric, r.ts, r.value);
      let all = r.flags;
      if (extra.length) all = [...(r.flags ?? []), ...extra.filter((f) => !r.flags?.includes(f))];
      if (all) for (const f of all) flagged.add(f);
      if (all === r.flags && r.fieldId === ctx.fieldId && r.farmId === ctx.farmId && r.cooperativeId === ctx.cooperativeId) continue;
      out[i] = { deviceId: r.deviceId, metric: r.metric, ts: r.ts, value: r.value, seq: r.seq, flags: all, fieldId: ctx.fieldId, farmId: ctx.farmId, cooperativeId: ctx.cooperativeId };
    }
    return out;
  }

  /**
   * Per topic (a device publishes on its own): the messages that arrived while one on that topic waited for the
   * registry, in arrival order. They are decoded and batched one after another once the lookup is answered, so a
   * device's readings reach the batcher (and the sequence counts, ingest/sequence-tracker.ts) in the order they
   * arrived. One entry and one promise per waiting message (issue 19: a chain of promises and closures per
   * message, held until the lookup answered, was most of the ingest's garbage collection while a restarted
   * ingest met its devices).
   */
  const waiting = new Map<string, Waiting[]>();

  /**
   * Not async: messages of one batch get the batcher's one promise back, which the ack client groups by. A device
   * the registry's caches know is decoded synchronously; otherwise (LookupNeeded) the lookups are awaited first.
   */
  function handle(topic: string, payload: Buffer): Promise<void> {
    received.add();
    const message: IncomingMessage = { topic, payload, receivedAt: now() };
    const queue = waiting.size === 0 ? undefined : waiting.get(topic);
    if (queue) return enqueue(queue, message);
    try {
      return accept(message, decoder.decodeCached(message));
    } catch (err) {
      if (!(err instanceof LookupNeeded)) return refuse(message, err);
      const started: Waiting[] = [];
      waiting.set(topic, started);
      const ack = enqueue(started, message);
      void drain(topic, started, err);
      return ack;
    }
  }

  /** The message's promise: settles like accept()'s (or refuse()'s) once its turn on the topic came. */
  function enqueue(queue: Waiting[], message: IncomingMessage): Promise<void> {
    return new Promise<void>((resolve) => { queue.push({ message, resolve }); });
  }

  /**
   * Decodes and batches the topic's waiting messages in order, the first after the lookup it missed; a later one
   * that misses too (another device named in the payload, a lookup that failed) waits for its own lookup. The
   * topic takes the synchronous path again once its queue is empty.
   */
  async function drain(topic: string, queue: Waiting[], firstMiss: LookupNeeded): Promise<void> {
    let miss: LookupNeeded | undefined = firstMiss;
    for (let i = 0; i < queue.length; i++) {
      const { message, resolve } = queue[i]!;
      queue[i] = undefined as unknown as Waiting; // (the message is not kept until the queue ends)
      let ack: Promise<void>;
      try {
        let decoded: RegistryDecoded;
        if (miss) decoded = await decoder.decodeLookedUp(message, miss);
        else {
          try {
            decoded = decoder.decodeCached(message);
          } catch (err) {
            if (!(err instanceof LookupNeeded)) throw err;
            decoded = await decoder.decodeLookedUp(message, err);
          }
        }
        ack = accept(message, decoded);
      } catch (err) {
        ack = refuse(message, err);
      }
      miss = undefined;
      resolve(ack);
    }
    waiting.delete(topic);
  }

  /** A message that could not be decoded: a DecodeError is a dead letter (acknowledged), anything else a failure. */
  function refuse(message: IncomingMessage, err: unknown): Promise<void> {
    if (!(err instanceof DecodeError)) return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    deadLetter(message.topic, err.deviceId, err.code, err.message, Buffer.isBuffer(message.payload) ? message.payload : Buffer.from(message.payload));
    return DONE;
  }

  function accept(message: IncomingMessage, { decoded, context }: RegistryDecoded): Promise<void> {
    decodedBy.add(decoded.format);
    if (decoded.ignored !== undefined) {
      im.ignored.inc({ format: decoded.format });
      return DONE;
    }
    for (const r of decoded.rejected) {
      deadLetter(message.topic, decoded.deviceId, r.code, r.reason, Buffer.from(JSON.stringify({ ts: r.ts, metric: r.metric, value: r.value })));
    }
    if (decoded.readings.length === 0) return DONE;
    if (!batcher || !context) throw new RuongError('STORE_UNAVAILABLE', 'ingest is not running');
    return batcher.add(enrich(decoded, context));
  }

  function onStored(batch: ReadingBatch): void {
    metrics.readingsStored.inc(batch.length);
    // Objects for the listeners only (`ruong start`'s rules and API; `ruong ingest` has none): the columns are reused.
    if (events.listenerCount('stored') > 0) events.emit('stored', asArray(batch));
  }

  return {
    name: 'ingest',
    events,
    handle,

    async start() {
      const spoolMaxBytes = opts.spoolMaxBytes ?? DEFAULT_SPOOL_BYTES;
      im.spoolLimit.set(spoolMaxBytes);
      spool = createSpool({ dir: opts.spoolDir, maxBytes: spoolMaxBytes, log, onSize: spoolLevel(spoolMaxBytes) });
      await spool.open();
      durable = createDurableWriter({ store: sequences, spool, spoolDir: opts.spoolDir, log, metrics: im, onStored });
      await durable.start(); // a restarted ingest replays its spool first
      const writer = durable;
      batcher = createBatcher<StoredReading, ReadingColumns>({
        maxSize: opts.batchSize,
        maxDelayMs: opts.batchDelayMs,
        log,
        // The readings of a batch as columns: the decoder's objects die young (core/telemetry/reading-columns.ts).
        collect: {
          open: () => spareColumns.pop() ?? new ReadingColumns(),
          add: (columns, readings) => columns.addAll(readings),
          release: (columns) => { if (spareColumns.length < 2) { columns.clear(); spareColumns.push(columns); } },
        },
        onWriteError: () => metrics.storeWriteFailures.inc(),
        write: async (batch) => {
          metrics.ingestPending.set(pendingAcks()); // (set here and on each ack, not per message)
          const end = metrics.batchWriteSeconds.startTimer();
          await writer.write(batch);
          end();
        },
      });
      maintenance = startMaintenance({
        store: opts.store, log, metrics: im, now, spooling: () => writer.spooling(), busy: () => pendingAcks() > BUSY_PENDING,
        rollupRefreshMs: opts.rollupRefreshMs ?? 10_000, rawRetentionMs: opts.rawRetentionMs,
      });
      if (opts.sharding) {
        await opts.sharding.start({ acquire: consumeShard, release: leaveShard });
      } else {
        const all = openClient(opts.broker.clientId ?? opts.broker.username, unshardedIngestFilters());
        clients.set(-1, all);
        await all.connect();
      }
    },

    stop() {
      stopping ??= (async () => {
        // Flush first so acks for stored (or spooled) readings still go out, then leave the broker.
        await opts.sharding?.stop(); // each shard: stored, acknowledged, then left for the other workers
        await batcher?.close();
        await Promise.all([...clients.values()].map((c) => c.close()));
        await maintenance?.stop();
        await durable?.stop();
        await spool?.close();
        await deadLetterWrites;
      })();
      return stopping;
    },
  };

  function openClient(clientId: string, subscriptions: string[]): AckClient {
    return createAckClient({
      ...opts.broker,
      alternates: opts.alternateBrokers,
      clientId,
      subscriptions,
      maxPending: opts.maxPending,
      log,
      onAck: (n) => { metrics.messagesAcked.inc(n); metrics.ingestPending.set(pendingAcks()); },
      onMessage: (topic, payload) => handle(unshardTopic(topic), payload), // handle's own promise: see handle()
    });
  }

  /** A shard's durable session (core/telemetry/ingest-shards.ts); waits for its SUBACK at most a few seconds. */
  async function consumeShard(shard: number): Promise<void> {
    sequences.forget(); // the shard's devices were counted by another worker until now
    const client = openClient(shardClientId(opts.broker.username, shard), [shardFilter(shard)]);
    clients.set(shard, client);
    const subscribed = client.connect();
    subscribed.catch((err: unknown) => log.error({ err, shard }, 'ingest shard subscription failed'));
    await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, SHARD_CONNECT_WAIT_MS).unref())]);
  }

  /** Stores and acknowledges what the shard's session delivered (at most a second's wait), then leaves it. */
  async function leaveShard(shard: number): Promise<void> {
    const client = clients.get(shard);
    clients.delete(shard);
    if (!client) return;
    const until = Date.now() + 1000;
    await batcher?.flush();
    while (client.pending() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    await client.close(); // anything still unacknowledged is redelivered to the next holder: writes are idempotent
  }

  /** Logs once each time the spool passes 50, 75, 90 and 100 % of its limit (and again after it drains). */
  function spoolLevel(limit: number): (bytes: number) => void {
    const marks = [0.5, 0.75, 0.9, 1];
    let reached = 0;
    return (bytes) => {
      im.spoolBytes.set(bytes);
      const level = marks.filter((m) => bytes >= m * limit * 0.999).length;
      if (level > reached) log.warn({ bytes, limit, percent: Math.round((100 * bytes) / limit) }, 'spool filling while the store is unavailable');
      if (bytes === 0 && reached > 0) log.info('spool empty');
      reached = bytes === 0 ? 0 : Math.max(reached, level);
    };
  }
}

/** DATA_DIR/spool. */
export function spoolDirOf(dataDir: string): string {
  return join(dataDir, 'spool');
}
