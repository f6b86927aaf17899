// A field device as the durability tests need it: it numbers its readings, keeps each one in its buffer until
// the broker's PUBACK arrives (then deletes it, as real firmware does), and after a lost connection sends
// again whatever was not acknowledged. What it holds as acknowledged is the oracle: every reading in `acked`
// must be in the store, whatever happened to the platform.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';

export interface BufferingDeviceOptions {
  readonly id: string;
  readonly secret: string;
  /** Readings to send in all (seq 1..total). */
  readonly total: number;
  /** QoS 1 messages in flight at once. */
  readonly window: number;
  /** Timestamp of seq 1 (one reading a second after it). */
  readonly t0: number;
}

export class BufferingDevice {
  /** Sequence numbers whose PUBACK this device received. */
  readonly acked = new Set<number>();
  private readonly buffer: number[] = [];
  private client: MqttClient | undefined;
  private inFlight = new Set<number>();

  constructor(private readonly opts: BufferingDeviceOptions) {
    for (let seq = 1; seq <= opts.total; seq++) this.buffer.push(seq);
  }

  get done(): boolean {
    return this.acked.size === this.opts.total;
  }

  /** For failure messages: where the readings are. */
  describe(): string {
    const flying = [...this.inFlight].sort((a, b) => a - b);
    return `${this.acked.size} of ${this.opts.total} acknowledged, ${flying.length} in flight (first ${flying.slice(0, 5).join(', ')}), ${this.buffer.length} buffered, connected: ${this.client?.connected ?? false}`;
  }

  /** The message a reading travels in (native JSON, one soil moisture reading). */
  payload(seq: number): string {
    return JSON.stringify({ ts: this.opts.t0 + seq * 1000, seq, readings: { 'soil_moisture@20cm': 20 + (seq % 10) } });
  }

  /** Connects and sends from the buffer until the connection is lost or `disconnect` is called. */
  async connect(url: string): Promise<void> {
    const client = await mqtt.connectAsync(url, {
      clientId: this.opts.id, username: this.opts.id, password: this.opts.secret, reconnectPeriod: 0, connectTimeout: 5000,
    });
    client.on('error', () => undefined);
    this.client = client;
    client.once('close', () => this.lost(client));
    this.fill(client);
  }

  /**
   * One poll of "send until `reached()` or everything is acknowledged": true when done, else undefined, and
   * connected again if the broker closed the connection (as firmware reconnects, e.g. after the broker's
   * publish-rate limit cut a fast backlog replay).
   */
  async until(url: string, reached: () => boolean): Promise<true | undefined> {
    if (this.done || reached()) return true;
    if (this.client === undefined) await this.connect(url).catch(() => undefined);
    return undefined;
  }

  /** Drops the connection at once (no DISCONNECT), as when the platform died under it. */
  disconnect(): void {
    const client = this.client;
    if (!client) return;
    this.lost(client);
    client.end(true);
  }

  private lost(client: MqttClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    // Unacknowledged readings go back to the front of the buffer, in order, for the next connection.
    const back = [...this.inFlight].filter((seq) => !this.acked.has(seq)).sort((a, b) => a - b);
    this.inFlight = new Set();
    this.buffer.unshift(...back);
  }

  private fill(client: MqttClient): void {
    while (this.client === client && this.inFlight.size < this.opts.window && this.buffer.length > 0) {
      const seq = this.buffer.shift()!;
      this.inFlight.add(seq);
      const inFlight = this.inFlight;
      client.publish(`devices/${this.opts.id}/up`, this.payload(seq), { qos: 1 }, (err) => {
        if (err || this.client !== client || !inFlight.has(seq)) return;
        this.acked.add(seq); // the PUBACK: the reading leaves the device's buffer for good
        inFlight.delete(seq);
        this.fill(client);
      });
    }
  }
}

/**
 * A t0 for `total` readings one second apart that all lie in the past (with an hour to spare): a reading
 * stamped in the future is refused by the ingest's plausibility check (a dead letter, acknowledged but
 * rightly not stored), which a durability test must not mistake for a loss.
 */
export function pastStart(total: number, now = Date.now()): number {
  return now - (total + 3600) * 1000;
}

/** Sequence numbers of the device's readings in the SQLite store (opened after the process died). */
export function storedSeqs(dataDir: string, deviceId: string): Set<number> {
  const db = new Database(join(dataDir, 'readings.db'));
  try {
    const rows = db.prepare('SELECT seq FROM readings WHERE device_id = ?').all(deviceId) as { seq: number }[];
    return new Set(rows.map((r) => r.seq));
  } finally {
    db.close();
  }
}

/** Why the platform refused any of the device's messages (dead letters: acknowledged, kept, not stored as readings). */
export function deadLetterReasons(dataDir: string, deviceId: string): string[] {
  const db = new Database(join(dataDir, 'registry.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT code, reason FROM dead_letters WHERE device_id = ?').all(deviceId) as { code: string; reason: string }[];
    return rows.map((r) => `${r.code}: ${r.reason}`);
  } finally {
    db.close();
  }
}

export function missingFrom(stored: Set<number>, acked: Iterable<number>): number[] {
  return [...acked].filter((seq) => !stored.has(seq)).sort((a, b) => a - b);
}

