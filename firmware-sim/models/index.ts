// Builds the physics model for a device kind. Every model reads the one simulated weather of its place.
import type { Weather } from '../weather.js';
import { createAwdTube } from './awd-tube.js';
import { createCanalSensor } from './canal-sensor.js';
import type { DeviceKind, DeviceModel, PowerOptions } from './common.js';
import { createSoilProbe } from './soil-probe.js';
import { createWeatherStation } from './weather-station.js';

export interface ModelSpec {
  readonly kind: DeviceKind;
  readonly seed: number;
  readonly depthsCm?: readonly number[] | undefined;
  readonly soilTexture?: string | undefined;
  readonly crop?: string | undefined;
  readonly plantingMs?: number | undefined;
  readonly initialWetness?: number | undefined;
  readonly power?: PowerOptions | undefined;
  /** Canal sensors: peak dry-season EC (dS/m) — a scenario's salinity intrusion. */
  readonly peakEcDsm?: number | undefined;
  /** AWD tubes: whether the simulated farmer manages the water (default true). */
  readonly farmer?: boolean | undefined;
}

export function createDeviceModel(spec: ModelSpec, weather: Weather): DeviceModel {
  const { seed, power, plantingMs } = spec;
  switch (spec.kind) {
    case 'soil_probe':
      return createSoilProbe({ weather, seed, power, plantingMs, initialWetness: spec.initialWetness, depthsCm: spec.depthsCm, soilTexture: spec.soilTexture, crop: spec.crop });
    case 'weather_station':
      return createWeatherStation({ weather, seed, power });
    case 'canal_sensor':
      return createCanalSensor({ weather, seed, power, peakEcDsm: spec.peakEcDsm });
    case 'awd_tube':
      return createAwdTube({ weather, seed, power, plantingMs, farmer: spec.farmer, crop: spec.crop, soilTexture: spec.soilTexture });
  }
}

export * from './common.js';
export { awdFarmPhase, createAwdTube, type AwdFarmPhase, type AwdTube, type AwdTubeOptions } from './awd-tube.js';
export { createCanalSensor, TIDE_CONSTITUENTS, type CanalSensor, type CanalSensorOptions } from './canal-sensor.js';
export { createSoilProbe, type SoilProbe, type SoilProbeOptions } from './soil-probe.js';
export { createWeatherStation, type WeatherStationOptions } from './weather-station.js';
export { cropKc, cropOf, crops, soilTexture, soilTextures, type Crop, type SoilTexture } from './crops.js';
