// The ingest: subscribe devices/+/up (QoS 1, clean = false, fixed client id) → decode → validate →
// enrich from the registry → batch → store → PUBACK. Bad input becomes a dead letter with its
// reason (kept, counted) and is acknowledged; valid readings beside it are stored.
import { EventEmitter } from 'node:events';
import { RuongError, isRuongError, type ErrorCode } from '../core/errors.js';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { DeviceContext } from '../core/registry/types.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { decodeNative } from '../core/telemetry/decoders/native.js';
import type { StoredReading } from '../core/telemetry/reading.js';
import { parseDeviceTopic, topics } from '../core/telemetry/topics.js';
import { createAckClient, type AckClient } from './ack-client.js';
import { createBatcher, type Batcher } from './batcher.js';

export interface IngestRegistry {
  deviceContext(deviceId: string): DeviceContext | undefined;
  addDeadLetter(input: { deviceId: string | undefined; cooperativeId: string | undefined; topic: string; code: string; reason: string; payload: Buffer | undefined }): void;
}

export interface IngestOptions {
  readonly broker: { host: string; port: number; username: string; password: string; clientId?: string };
  readonly store: ReadingStore;
  readonly registry: IngestRegistry;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly batchSize: number;
  readonly batchDelayMs: number;
  readonly now?: () => number;
}

export interface IngestService extends Service {
  /** Every batch of readings once it is stored (the rules engine's in-process ReadingSource). */
  readonly events: EventEmitter<{ stored: [readonly StoredReading[]] }>;
  /** Handles one message as if it came from the broker; resolves when it may be acknowledged. */
  handle(topic: string, payload: Buffer): Promise<void>;
}

export function createIngestService(opts: IngestOptions): IngestService {
  const { log, metrics, registry } = opts;
  const now = opts.now ?? Date.now;
  const events = new EventEmitter<{ stored: [readonly StoredReading[]] }>();
  let client: AckClient | undefined;
  let batcher: Batcher<StoredReading> | undefined;
  let stopping: Promise<void> | undefined;

  function deadLetter(topic: string, deviceId: string | undefined, ctx: DeviceContext | undefined, code: ErrorCode, reason: string, payload: Buffer | undefined): void {
    registry.addDeadLetter({ deviceId, cooperativeId: ctx?.cooperativeId, topic, code, reason, payload });
    metrics.deadLetters.inc({ code });
  }

  async function handle(topic: string, payload: Buffer): Promise<void> {
    metrics.messagesReceived.inc();
    const parsedTopic = parseDeviceTopic(topic);
    if (!parsedTopic || parsedTopic.kind !== 'up') {
      deadLetter(topic, parsedTopic?.deviceId, undefined, 'TOPIC_INVALID', `topic ${topic} is not devices/{id}/up`, payload);
      return;
    }
    const { deviceId } = parsedTopic;
    const ctx = registry.deviceContext(deviceId);
    if (!ctx || ctx.revoked) {
      deadLetter(topic, deviceId, ctx, ctx ? 'DEVICE_REVOKED' : 'DEVICE_UNKNOWN', `device ${deviceId} is ${ctx ? 'revoked' : 'not registered'}`, payload);
      return;
    }
    let decoded;
    try {
      decoded = decodeNative(deviceId, payload, { now: now() });
    } catch (err) {
      const code = isRuongError(err) ? err.code : 'PAYLOAD_INVALID';
      deadLetter(topic, deviceId, ctx, code, (err as Error).message, payload);
      return;
    }
    for (const r of decoded.rejected) {
      deadLetter(topic, deviceId, ctx, r.code, r.reason, Buffer.from(JSON.stringify({ ts: r.ts, metric: r.metric, value: r.value })));
    }
    if (decoded.readings.length === 0) return;
    if (!batcher) throw new RuongError('STORE_UNAVAILABLE', 'ingest is not running');
    const enriched = decoded.readings.map((r) => ({ ...r, fieldId: ctx.fieldId, farmId: ctx.farmId, cooperativeId: ctx.cooperativeId }));
    await batcher.add(enriched);
  }

  return {
    name: 'ingest',
    events,
    handle,

    async start() {
      batcher = createBatcher<StoredReading>({
        maxSize: opts.batchSize,
        maxDelayMs: opts.batchDelayMs,
        log,
        onWriteError: () => metrics.storeWriteFailures.inc(),
        write: async (batch) => {
          const end = metrics.batchWriteSeconds.startTimer();
          await opts.store.write(batch);
          end();
          metrics.readingsStored.inc(batch.length);
          events.emit('stored', batch);
        },
      });
      client = createAckClient({
        ...opts.broker,
        clientId: opts.broker.clientId ?? opts.broker.username,
        subscriptions: [topics.allUp],
        log,
        onAck: () => metrics.messagesAcked.inc(),
        onMessage: async (topic, payload) => {
          metrics.ingestPending.inc();
          try {
            await handle(topic, payload);
          } finally {
            metrics.ingestPending.dec();
          }
        },
      });
      await client.connect();
    },

    stop() {
      stopping ??= (async () => {
        // Flush first so acks for stored readings still go out, then leave the broker.
        await batcher?.close();
        await client?.close();
      })();
      return stopping;
    },
  };
}
