// A simulated LoRaWAN network server (ChirpStack v4 or The Things Stack v3) with one gateway: it takes
// the frames its gateway heard and publishes them on the platform's broker the way that server's MQTT
// integration does (formats/lorawan-uplinks.ts), with the service credential `ruong-lns` when given.
// Downlinks arrive on the server's command topics and wait for the device's next uplink (class A).
// Events queue while the broker is unreachable (bounded) and go out in order, one in flight (QoS 1).
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { SimClock } from './clock.js';
import { chirpstackStatus, chirpstackUp, ttsUp, type MqttEvent, type NetworkIdentity, type UplinkFrame } from './formats/lorawan-uplinks.js';
import { createMqttLink, type MqttLink } from './mqtt-link.js';
import { DeviceCommandMessage } from './sim-device.js';

export type NetworkServerFlavour = 'chirpstack' | 'tts';

/** The service credential network servers use on the platform's broker (docs/interop.md). */
export const LNS_SERVICE = 'ruong-lns';

export interface NetworkServerOptions {
  readonly brokerUrl: string;
  readonly flavour: NetworkServerFlavour;
  /** The `ruong-lns` service secret; undefined = anonymous broker. */
  readonly secret?: string | undefined;
  readonly clientId?: string | undefined;
  readonly identity?: Partial<NetworkIdentity> | undefined;
  readonly clock: SimClock;
  readonly log: Logger;
  /** Events kept while the broker is unreachable; default 100,000. */
  readonly queueLimit?: number | undefined;
  /** ChirpStack: a `status` event (battery) every N uplinks of a device; default 24. */
  readonly statusEvery?: number | undefined;
  readonly reconnectPeriodMs?: number | undefined;
}

export interface NetworkServerStats {
  readonly published: number;
  readonly queued: number;
  readonly dropped: number;
  readonly downlinks: number;
  readonly connected: boolean;
}

export interface NetworkServer extends Service {
  readonly flavour: NetworkServerFlavour;
  readonly identity: NetworkIdentity;
  /** Publishes an uplink; returns the commands queued for this device (delivered in its RX window). */
  uplink(frame: UplinkFrame, batteryPct: number | undefined): DeviceCommandMessage[];
  stats(): NetworkServerStats;
}

export function createNetworkServer(o: NetworkServerOptions): NetworkServer {
  const identity: NetworkIdentity = {
    tenantId: 'ruong', tenantName: 'Ruộng', applicationId: o.flavour === 'tts' ? 'ruong-farms' : '6f1c2a7e-3b4d-4c1a-9e0f-0a1b2c3d4e5f',
    applicationName: 'ruong-farms', deviceProfileId: '9b7e6f10-2c3d-4e5f-8a9b-0c1d2e3f4a5b', deviceProfileName: 'ruong-sensors', ...o.identity,
  };
  const queue: MqttEvent[] = [];
  const downlinks = new Map<string, DeviceCommandMessage[]>(); // by devEui (ChirpStack) or device id (TTS)
  const counts = { published: 0, dropped: 0, downlinks: 0 };
  let flushing = false;
  let stopped = false;
  const downTopic = o.flavour === 'chirpstack' ? `application/${identity.applicationId}/device/+/command/down` : `v3/${identity.applicationId}@${identity.tenantId}/devices/+/down/push`;

  const link: MqttLink = createMqttLink({
    brokerUrl: o.brokerUrl,
    // Client ids starting with `ruong-` are reserved for service credentials: an anonymous server takes another.
    clientId: o.clientId ?? (o.secret === undefined ? `sim-lns-${o.flavour}` : `${LNS_SERVICE}-${o.flavour}`),
    username: o.secret === undefined ? undefined : LNS_SERVICE,
    password: o.secret,
    subscriptions: [downTopic],
    onConnect: () => void flush(),
    onMessage: onDownlink,
    retryDelayMs: (attempt) => Math.min(30_000, (o.reconnectPeriodMs ?? 1_000) * 2 ** (attempt - 1)),
    log: o.log,
  });

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    while (!stopped && link.connected() && queue.length > 0) {
      const event = queue[0] as MqttEvent;
      try {
        await link.publish(event.topic, event.payload, 1);
        queue.shift();
        counts.published++;
      } catch (err) {
        o.log.debug({ err }, 'sim network server publish failed');
        break;
      }
    }
    flushing = false;
  }

  function enqueue(event: MqttEvent): void {
    queue.push(event);
    if (queue.length > (o.queueLimit ?? 100_000)) {
      queue.shift();
      counts.dropped++;
    }
  }

  /** ChirpStack `{devEui, fPort, data | object}`; TTS `{downlinks: [{f_port, frm_payload | decoded_payload}]}`. */
  function onDownlink(topic: string, payload: Buffer): void {
    const key = topic.split('/')[3] ?? ''; // the DevEUI (ChirpStack) or the device id (TTS)
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const items = o.flavour === 'chirpstack' ? [body] : ((body as { downlinks?: unknown[] } | null)?.downlinks ?? []);
    for (const item of items) {
      const cmd = commandOf(item as Record<string, unknown>);
      if (!cmd) continue;
      downlinks.set(key, [...(downlinks.get(key) ?? []), cmd]);
      counts.downlinks++;
    }
  }

  function uplink(frame: UplinkFrame, batteryPct: number | undefined): DeviceCommandMessage[] {
    if (stopped) return [];
    enqueue(o.flavour === 'chirpstack' ? chirpstackUp(frame, identity) : ttsUp(frame, identity));
    if (o.flavour === 'chirpstack' && batteryPct !== undefined && frame.fCnt % (o.statusEvery ?? 24) === 0) enqueue(chirpstackStatus(frame, identity, batteryPct));
    void flush();
    const key = o.flavour === 'chirpstack' ? frame.devEui : frame.deviceId;
    const cmds = downlinks.get(key) ?? [];
    downlinks.delete(key);
    return cmds;
  }

  return {
    name: `lns-${o.flavour}`,
    flavour: o.flavour,
    identity,
    start() {
      link.setAvailable(true);
      return Promise.resolve();
    },
    async stop() {
      if (stopped) return;
      await Promise.race([waitEmpty(), new Promise((r) => setTimeout(r, 1_000).unref())]);
      stopped = true;
      await link.close();
    },
    uplink,
    stats: () => ({ ...counts, queued: queue.length, connected: link.connected() }),
  };

  async function waitEmpty(): Promise<void> {
    while (link.connected() && queue.length > 0) await new Promise((r) => setTimeout(r, 10));
  }
}

/** A downlink's command: `object`/`decoded_payload` as JSON, or the binary [0x01, mm×10 u16] / [0x02, minutes u16]. */
export function commandOf(item: Record<string, unknown>): DeviceCommandMessage | undefined {
  const decoded = item.object ?? item.decoded_payload;
  if (decoded !== undefined) return DeviceCommandMessage.safeParse(decoded).data;
  const data = item.data ?? item.frm_payload;
  if (typeof data !== 'string') return undefined;
  const b = Buffer.from(data, 'base64');
  if (b.length < 3) return undefined;
  const value = b.readUInt16BE(1);
  const cmd = b[0] === 0x01 ? { cmd: 'irrigate', mm: value / 10 } : b[0] === 0x02 ? { cmd: 'valve', minutes: value } : undefined;
  return DeviceCommandMessage.safeParse(cmd).data;
}

/** Encodes a command as the binary downlink the simulated LoRaWAN firmware understands. */
export function encodeDownlink(cmd: DeviceCommandMessage): Buffer {
  const b = Buffer.alloc(3);
  b.writeUInt8(cmd.cmd === 'irrigate' ? 0x01 : 0x02, 0);
  b.writeUInt16BE(Math.round(cmd.cmd === 'irrigate' ? cmd.mm * 10 : cmd.minutes), 1);
  return b;
}
