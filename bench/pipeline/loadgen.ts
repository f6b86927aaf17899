// Devices for the pipeline benchmark: raw MQTT connections (firmware-sim/loadgen-wire.ts) publishing
// pre-encoded native payloads with 4 readings at QoS 1, each device keeping `window` messages in flight.
// Message n of a device carries seq n and ts = t0 + n s, patched into one template per device: the
// generator must stay cheaper than what it measures.
import mqttPacket from 'mqtt-packet';
import { PacketType } from '../../firmware-sim/loadgen-frames.js';
import { encodeConnect, openMqtt, type MqttSocket } from '../../firmware-sim/loadgen-wire.js';
import { topics } from '../../core/telemetry/topics.js';
import { BENCH_SECRET, benchDeviceId } from './setup.js';

const TS_WIDTH = 13;
const SEQ_WIDTH = 9;

/** A PUBLISH of `{"ts":…,"seq":…,"readings":{4 metrics}}` whose message id, ts and seq are patched per message. */
function template(deviceId: string): { at(n: number, ts: number): Buffer } {
  const head = `{"ts":${'0'.repeat(TS_WIDTH)},"seq":${' '.repeat(SEQ_WIDTH)}`;
  const payload = Buffer.from(`${head},"readings":{"soil_moisture@20cm":23.4,"soil_temperature@20cm":25.1,"soil_ec@20cm":0.82,"battery":87}}`);
  const packet = mqttPacket.generate({ cmd: 'publish', topic: topics.up(deviceId), payload, qos: 1, messageId: 1, retain: false, dup: false });
  const at0 = packet.length - payload.length;
  return {
    at(n, ts) {
      const buf = Buffer.from(packet);
      buf.writeUInt16BE(n, at0 - 2); // message id = n (1 … 65,535)
      buf.write(String(ts), at0 + 6, 'latin1');
      buf.write(String(n).padStart(SEQ_WIDTH, ' '), at0 + 6 + TS_WIDTH + 7, 'latin1');
      return buf;
    },
  };
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

interface Device { i: number; conn: MqttSocket; next: number; inflight: number; tpl: ReturnType<typeof template> }

export function createLoad(o: LoadOptions): Load {
  const devices: Device[] = [];
  let acked = 0;
  let done: (() => void) | undefined;
  const total = o.devices * o.messagesPerDevice;

  function pump(d: Device): void {
    const count = Math.min(o.window - d.inflight, o.messagesPerDevice - d.next);
    if (count <= 0) return;
    const parts: Buffer[] = [];
    for (let k = 0; k < count; k++) {
      d.next++;
      parts.push(d.tpl.at(d.next, o.t0 + d.next * o.stepMs));
    }
    d.inflight += count;
    d.conn.socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
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
          devices[i] = { i, conn, next: 0, inflight: 0, tpl: template(id) };
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.connectConcurrency, o.devices) }, worker));
      return performance.now() - start;
    },
    publish() {
      return new Promise<void>((resolve) => {
        done = resolve;
        for (const d of devices) {
          d.conn.onFrame((type) => {
            if (type !== PacketType.puback) return;
            d.inflight--;
            if (++acked === total) done?.();
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
