// The radio link's quality as the device (cellular) or the gateway (LoRa) measures it: a mean set by
// the device's place (distance, terrain), slow shadowing that changes every 10 minutes, and a few dB of
// fade while it rains (wet foliage and rain on the antenna). Numbers are [judg] for rural Vietnam:
// NB-IoT/LTE-M devices around −65…−105 dBm, LoRa uplinks at the gateway around −85…−120 dBm.
import { clamp, hashInts, mulberry32, noiseAt } from './random.js';

export type RadioKind = 'cellular' | 'lora';

export interface Radio {
  /** Received signal strength, dBm, at simulated time ms while it rains `rainMmH`. */
  rssi(ms: number, rainMmH: number): number;
  /** LoRa signal-to-noise ratio at the gateway, dB. */
  snr(ms: number, rainMmH: number): number;
  /** LoRa: whether no gateway heard the uplink sent at ms (the frame counter still advanced). */
  lost(ms: number, rainMmH: number): boolean;
}

export function createRadio(o: { seed: number; kind: RadioKind; meanRssiDbm?: number | undefined }): Radio {
  const r = mulberry32(hashInts(o.seed, 0x4ad10));
  const drawn = o.kind === 'cellular' ? -105 + 40 * r() : -120 + 35 * r();
  const mean = o.meanRssiDbm ?? drawn;
  const shadow = (ms: number): number => {
    const slot = Math.floor(ms / 600_000);
    return 6 * (noiseAt(o.seed, slot) + noiseAt(o.seed + 1, slot) - 1); // ±6 dB, triangular
  };
  const rssi = (ms: number, rain: number): number => Math.round(clamp(mean + shadow(ms) - Math.min(6, 0.3 * rain), -140, -30));
  const snr = (ms: number, rain: number): number => Math.round(clamp((rssi(ms, rain) + 117) / 2.5, -20, 12) * 10) / 10;
  return {
    rssi,
    snr,
    // Below ≈ −118 dBm the frames start to fall under the demodulator floor of the spreading factor in use.
    lost: (ms, rain) => noiseAt(o.seed + 2, Math.floor(ms / 1000)) < 0.02 + 0.5 * clamp((-118 - rssi(ms, rain)) / 15, 0, 1),
  };
}
