// Devices for the pipeline benchmark: raw MQTT connections (firmware-sim/loadgen-wire.ts) publishing
// pre-encoded native payloads with 4 readings at QoS 1, each device keeping `window` messages in flight.
// Message n of a device carries seq n and ts = t0 + n ms·step. The generator shares the machine with what it
// measures, so it must stay cheap: every message of a device is encoded before the clock starts, back to back
// in one buffer, and a device's messages that may go out together are one socket write of a slice of it; the
// PUBACKs of a received chunk are counted together (every one is counted, none is parsed into an object).
import mqttPacket from 'mqtt-packet';
import { encodeConnect, openMqtt, type MqttSocket } from '../../firmware-sim/loadgen-wire.js';
import { topics } from '../../core/telemetry/topics.js';
import { BENCH_METRICS, benchValueTexts } from './bench-values.js';
import { BENCH_SECRET, benchDeviceId } from './setup.js';

const TS_WIDTH = 13;
const SEQ_WIDTH = 9;

/**
 * Messages 1 … count of device `index` as consecutive PUBLISH packets of `{"ts":…,"seq":…,"readings":{4 metrics}}`,
 * one template patched per message (message id = n, MQTT-2.3.1-1: never 0; seq = n; ts = t0 + n · stepMs; the
 * readings of bench-values.ts, each at a fixed width).
 */
export function deviceStream(index: number, count: number, t0: number, stepMs: number): { bytes: Buffer; packetBytes: number } {
  const head = `{"ts":${'0'.repeat(TS_WIDTH)},"seq":${' '.repeat(SEQ_WIDTH)}`;
  const widths = benchValueTexts(index, 1).map((t) => t.length);
  const payloadText = `${head},"readings":{${BENCH_METRICS.map((m, i) => `"${m}":${'0'.repeat(widths[i]!)}`).join(',')}}}`;
  const valueAt = BENCH_METRICS.map((m) => payloadText.indexOf(`"${m}":`) + m.length + 3);
  const payload = Buffer.from(payloadText);
  const packet = mqttPacket.generate({ cmd: 'publish', topic: topics.up(benchDeviceId(index)), payload, qos: 1, messageId: 1, retain: false, dup: false });
  const at0 = packet.length - payload.length;
  const bytes = Buffer.allocUnsafe(packet.length * count);
  for (let n = 1; n <= count; n++) {
    const at = (n - 1) * packet.length;
    packet.copy(bytes, at);
    bytes.writeUInt16BE(n, at + at0 - 2); // message id = n (1 … 65,535)
    bytes.write(String(t0 + n * stepMs), at + at0 + 6, 'latin1');
    bytes.write(String(n).padStart(SEQ_WIDTH, ' '), at + at0 + 6 + TS_WIDTH + 7, 'latin1');
    const texts = benchValueTexts(index, n);
    for (let i = 0; i < texts.length; i++) {
      if (texts[i]!.length !== widths[i]) throw new Error(`bench value ${texts[i]} is not ${widths[i]} characters wide`);
      bytes.write(texts[i]!, at + at0 + valueAt[i]!, 'latin1');
    }
  }
  return { bytes, packetBytes: packet.length };
}

export interface LoadOptions {
  readonly port: number;
  readonly devices: number;
  readonly messagesPerDevice: number;
  readonly window: number;
  readonly t0: number;
  /** Spacing of a device's message times (ms). */
  readonly stepMs: number;
  readonly connectConcurrency: number;
}

export interface Load {
  /** Connects every device; resolves with the time it took. */
  connect(): Promise<number>;
  /** Starts publishing; resolves once every message was acknowledged by the broker. */
  publish(): Promise<void>;
  acked(): number;
  close(): void;
}

interface Device { readonly conn: MqttSocket; next: number; inflight: number; readonly stream: Buffer; readonly packetBytes: number }

export function createLoad(o: LoadOptions): Load {
  if (o.messagesPerDevice > 65_535) throw new Error('at most 65,535 messages per device (QoS 1 message ids)');
  const devices: Device[] = [];
  // Encoded before anything is timed (run.ts times from after createLoad).
  const streams = Array.from({ length: o.devices }, (_, i) => deviceStream(i, o.messagesPerDevice, o.t0, o.stepMs));
  let acked = 0;
  let done: (() => void) | undefined;
  const total = o.devices * o.messagesPerDevice;

  /** Fills the device's window: the next messages are consecutive in its stream, so one write of one slice. */
  function pump(d: Device): void {
    const count = Math.min(o.window - d.inflight, o.messagesPerDevice - d.next);
    if (count <= 0) return;
    const from = d.next * d.packetBytes;
    d.next += count;
    d.inflight += count;
    d.conn.socket.write(d.stream.subarray(from, d.next * d.packetBytes));
  }

  return {
    async connect() {
      const start = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < o.devices) {
          const i = next++;
          const id = benchDeviceId(i);
          const conn = await openMqtt('127.0.0.1', o.port, encodeConnect({ clientId: id, username: id, password: BENCH_SECRET }, true), 60_000);
          conn.socket.on('error', () => undefined);
          devices[i] = { conn, next: 0, inflight: 0, stream: streams[i]!.bytes, packetBytes: streams[i]!.packetBytes };
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.connectConcurrency, o.devices) }, worker));
      return performance.now() - start;
    },
    publish() {
      return new Promise<void>((resolve) => {
        done = resolve;
        for (const d of devices) {
          d.conn.onPubacks((count) => {
            d.inflight -= count;
            acked += count;
            if (acked === total) done?.();
            pump(d);
          });
        }
        for (const d of devices) pump(d);
      });
    },
    acked: () => acked,
    close() { for (const d of devices) d?.conn.socket.destroy(); },
  };
}
