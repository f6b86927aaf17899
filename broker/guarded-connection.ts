// The stream Aedes gets instead of the raw socket (TCP, TLS or WebSocket): every byte a client sends passes
// the FrameGuard first, and a verdict closes the connection before Aedes has seen the offending packet
// (after a CONNACK when the spec asks for one). With an AckGate, outgoing PUBACKs wait until their message
// is persisted (broker/ack-gate.ts).
import { Duplex } from 'node:stream';
import { AckGate } from './ack-gate.js';
import { FrameGuard, type FrameGuardOptions } from './frame-guard.js';
import type { Verdict } from './packet-checks.js';

export interface GuardedConnectionOptions extends FrameGuardOptions {
  readonly remoteAddress: string | undefined;
  /** Subject CN of a verified TLS client certificate. */
  readonly peerCommonName?: string | undefined;
  /** Hold PUBACKs until `released` (only worth it when the persistence survives the process). */
  readonly holdAcks: boolean;
  readonly onVerdict: (conn: GuardedConnection, verdict: Verdict) => void;
}

type WriteCallback = (error?: Error | null) => void;

export class GuardedConnection extends Duplex {
  readonly guard: FrameGuard;
  readonly remoteAddress: string | undefined;
  readonly peerCommonName: string | undefined;
  private readonly gate: AckGate | undefined;
  private waitingDrain: WriteCallback | undefined;

  constructor(private readonly inner: Duplex, private readonly opts: GuardedConnectionOptions) {
    super({ allowHalfOpen: false });
    this.guard = new FrameGuard(opts);
    this.remoteAddress = opts.remoteAddress;
    this.peerCommonName = opts.peerCommonName;
    if (opts.holdAcks) {
      const gate = new AckGate();
      this.gate = gate;
      this.guard.onPublish = (qos, messageId) => {
        if (qos === 1) gate.expect(messageId);
        return this.publishHook?.(qos, messageId);
      };
    } else {
      this.guard.onPublish = (qos, messageId) => this.publishHook?.(qos, messageId);
    }
    inner.on('data', (chunk: Buffer) => this.onData(chunk));
    inner.once('end', () => this.push(null));
    inner.once('error', (err: Error) => this.destroy(err));
    inner.once('close', () => this.destroy());
    inner.on('drain', () => {
      const cb = this.waitingDrain;
      this.waitingDrain = undefined;
      cb?.();
    });
  }

  /** Per-connection check of each PUBLISH (e.g. the device's rate limit), set once the client is known. */
  publishHook: ((qos: number, messageId: number) => Verdict | undefined) | undefined;

  /** The QoS 1 message with this packet id is persisted: its PUBACK may go out. */
  released(messageId: number): void {
    if (!this.gate || this.destroyed) return;
    this.send(this.gate.release(messageId));
  }

  /** Closes the connection for a verdict, after a CONNACK with its return code when it carries one. */
  reject(verdict: Verdict): void {
    if (this.destroyed) return;
    this.opts.onVerdict(this, verdict);
    this.inner.removeAllListeners('data');
    if (verdict.connack !== undefined && !this.inner.destroyed) {
      // CONNACK: session present 0 (MQTT-3.2.2-4), then close (MQTT-3.2.2-5).
      this.inner.end(Buffer.from([0x20, 0x02, 0x00, verdict.connack]));
      this.inner.once('finish', () => this.inner.destroy());
      setTimeout(() => this.inner.destroy(), 1000).unref();
    } else {
      this.inner.destroy();
    }
    this.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.destroyed) return;
    const verdict = this.guard.feed(chunk);
    if (verdict) {
      this.reject(verdict);
      return;
    }
    if (!this.push(chunk)) this.inner.pause();
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.send(this.gate ? this.gate.write(chunk) : [chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: WriteCallback): void {
    const out: Buffer[] = [];
    for (const { chunk } of chunks) {
      if (this.gate) out.push(...this.gate.write(chunk));
      else out.push(chunk);
    }
    this.send(out, callback);
  }

  /** Writes to the inner stream; the callback waits for its drain so backpressure reaches Aedes. */
  private send(buffers: Buffer[], callback?: WriteCallback): void {
    if (this.inner.destroyed || this.inner.writableEnded) {
      callback?.();
      return;
    }
    let ok = true;
    if (buffers.length === 1) ok = this.inner.write(buffers[0]!);
    else if (buffers.length > 1) {
      this.inner.cork();
      for (const b of buffers) ok = this.inner.write(b);
      this.inner.uncork();
    }
    if (!callback) return;
    if (ok || !this.inner.writableNeedDrain) callback();
    else this.waitingDrain = callback;
  }

  override _final(callback: WriteCallback): void {
    this.inner.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.inner.destroyed && !this.inner.writableEnded) this.inner.destroy();
    const cb = this.waitingDrain;
    this.waitingDrain = undefined;
    cb?.(error ?? new Error('connection closed'));
    callback(error);
  }
}
