// What a simulated device is: its kind and place, the crop and soil its physics runs on, how it talks
// (wire format, clock), and what goes wrong with it (sensor faults, outages, a flaky link, a weak battery).
// Times are absolute epoch ms; scenario files (scenario.ts) speak in hours and convert.
import { z } from 'zod';
import { deviceIdPattern } from '../core/telemetry/topics.js';
import { FlakyLink, OfflineWindow } from './connectivity.js';
import { SensorFault } from './faults.js';

export const DeviceFormat = z.enum(['native', 'senml', 'thingsboard', 'chirpstack', 'tts']);
export type DeviceFormat = z.infer<typeof DeviceFormat>;

export const SimDeviceSpec = z.object({
  deviceId: z.string().regex(deviceIdPattern),
  /** The device's MQTT secret; absent = connect anonymously (load tests). LoRaWAN devices have none. */
  secret: z.string().min(1).optional(),
  kind: z.enum(['soil_probe', 'weather_station', 'canal_sensor', 'awd_tube', 'pump_controller', 'valve_controller']),
  lat: z.number().min(-90).max(90),
  lonE: z.number().min(-180).max(180).optional(),
  elevationM: z.number().min(-100).max(6000).optional(),
  depthsCm: z.array(z.number().int().min(1).max(300)).min(1).max(16).optional(),
  soilTexture: z.string().optional(),
  crop: z.string().optional(),
  seed: z.number().int().optional(),
  /** native (default), SenML, ThingsBoard over MQTT; or LoRaWAN behind a ChirpStack / TTS network server. */
  format: DeviceFormat.optional(),
  /** False: no real-time clock — readings carry relative (SenML) or no (native, ThingsBoard) time. */
  rtc: z.boolean().optional(),
  /** LoRaWAN payload codec; default ruong-v1 (dragino-lse01 fits a single-depth soil probe). */
  codec: z.enum(['dragino-lse01', 'ruong-v1']).optional(),
  devEui: z.string().regex(/^[0-9a-fA-F]{16}$/).optional(),
  plantingMs: z.number().optional(),
  /** Soil probes: initial water as a share of the available water (1 = field capacity); default drawn. */
  initialWetness: z.number().min(0).max(2).optional(),
  power: z.strictObject({ initialPct: z.number().min(0).max(100).optional(), solar: z.number().min(0).max(2).optional() }).optional(),
  peakEcDsm: z.number().positive().max(60).optional(),
  farmer: z.boolean().optional(),
  /** Mean radio signal, dBm; default drawn from the seed. */
  rssiDbm: z.number().min(-140).max(-30).optional(),
  faults: z.array(SensorFault).optional(),
  /** The field the device is in (issue 17): a pump or valve controller's water reaches the sensors of its field. */
  fieldId: z.string().min(1).max(64).optional(),
  /** The field's area, ha: the depth a controller's m³ make on it (mm = m³ / (ha × 10)); default 1 ha. */
  fieldAreaHa: z.number().positive().max(10_000).optional(),
  /** Pump and valve controllers: nominal flow, m³/h (default 20 for a pump, 150 for a canal intake). */
  flowM3h: z.number().positive().max(10_000).optional(),
  /** Valve controllers: refuse to open while the intake water's EC is above this, dS/m (the device's own interlock). */
  maxEcDsm: z.number().positive().max(60).optional(),
  /** Pump and valve controllers: take commands and never answer them (a hung relay board): no switching, no confirmation. */
  neverAnswers: z.boolean().optional(),
  offline: z.array(OfflineWindow).optional(),
  flaky: FlakyLink.optional(),
});
export type SimDeviceSpec = z.infer<typeof SimDeviceSpec>;

export const isLorawan = (f: DeviceFormat | undefined): f is 'chirpstack' | 'tts' => f === 'chirpstack' || f === 'tts';
