// A LoRaWAN sensor behind the simulated network server: it wakes every interval, packs its readings with
// its codec and transmits once — no connection, no buffer, no clock. A frame no gateway heard (the link
// plan's outage, a fade below the demodulator floor) is simply lost, but the frame counter advanced, so
// the gap shows in fCnt. Commands come back as downlinks in the receive window after an uplink.
import type { Logger } from '../core/log.js';
import type { SimClock } from './clock.js';
import type { LinkPlan } from './connectivity.js';
import type { LorawanCodec } from './formats/lorawan-codecs.js';
import type { NetworkServer } from './network-server.js';
import type { Radio } from './radio.js';
import { hashString } from './random.js';
import type { Sampler } from './sampler.js';
import type { SimDevice } from './sim-device.js';
import type { Weather } from './weather.js';

export interface LorawanDeviceOptions {
  readonly deviceId: string;
  readonly devEui?: string | undefined;
  readonly sampler: Sampler;
  readonly codec: LorawanCodec;
  readonly ns: NetworkServer;
  readonly radio: Radio;
  readonly weather: Weather;
  readonly link: LinkPlan;
  readonly clock: SimClock;
  readonly log: Logger;
}

const AS923_MHZ = [923.2, 923.4, 922.2, 922.4, 922.6, 922.8, 923.0, 922.0];
const MAX_SAMPLES_PER_TICK = 500;

/** A stable DevEUI for a device id: a locally administered EUI-64 prefix and 40 bits of its hash. */
export function devEuiOf(deviceId: string): string {
  const h = (hashString(deviceId).toString(16).padStart(8, '0') + hashString(`${deviceId}#`).toString(16).padStart(8, '0')).slice(0, 10);
  return `02ce75${h}`;
}

export function createLorawanDevice(o: LorawanDeviceOptions): SimDevice {
  const devEui = (o.devEui ?? devEuiOf(o.deviceId)).toLowerCase();
  const devAddr = devEui.slice(-8);
  const gatewayId = 'ac1f09fffe0b1e50';
  const counts = { published: 0, readings: 0, dropped: 0, commands: 0, rejectedCommands: 0 };
  let started = false;
  let stopped = false;

  function tick(): void {
    if (!started || stopped) return;
    const { entries } = o.sampler.take(o.clock.now(), MAX_SAMPLES_PER_TICK);
    for (const e of entries) {
      const rain = o.weather.at(e.ts).rainRate;
      if (!o.link.online(e.ts) || o.radio.lost(e.ts, rain)) {
        counts.dropped++;
        continue;
      }
      const bytes = o.codec.encode(e.readings);
      const object = o.codec.decode(bytes); // the device profile's codec, run by the network server
      const rssi = o.radio.rssi(e.ts, rain);
      const cmds = o.ns.uplink({
        deviceId: o.deviceId, devEui, devAddr, fCnt: e.seq, fPort: o.codec.fPort, bytes, object, normalized: o.codec.normalize?.(object), receivedAtMs: e.ts,
        rssi, snr: o.radio.snr(e.ts, rain), spreadingFactor: rssi > -100 ? 7 : rssi > -112 ? 9 : 12,
        frequencyHz: Math.round((AS923_MHZ[e.seq % AS923_MHZ.length] ?? 923.2) * 1e6), gatewayId,
      }, e.readings.battery);
      counts.published++;
      counts.readings += Object.keys(e.readings).length;
      for (const cmd of cmds) if (o.sampler.command(cmd, e.ts)) counts.commands++;
    }
  }

  return {
    deviceId: o.deviceId,
    start: () => { started = true; },
    tick,
    nextReportMs: () => o.sampler.nextReportMs(),
    hasNetwork: () => o.sampler.powered() && o.link.online(o.clock.now()),
    stats: () => ({ ...counts, buffered: 0, connected: o.ns.stats().connected, sessions: 0, powered: o.sampler.powered() }),
    stop: () => {
      stopped = true;
      return Promise.resolve();
    },
  };
}
