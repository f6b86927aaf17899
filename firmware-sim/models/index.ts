// Builds the physics model for a device kind. Every model reads the one simulated weather of its place.
import type { FieldWater } from '../field-water.js';
import type { Weather } from '../weather.js';
import { createAwdTube } from './awd-tube.js';
import { createCanalSensor } from './canal-sensor.js';
import type { DeviceKind, DeviceModel, PowerOptions } from './common.js';
import { createController } from './controller.js';
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
  /** Pump and valve controllers: nominal flow, m³/h. */
  readonly flowM3h?: number | undefined;
  /** Valve controllers: the intake's salinity interlock, dS/m. */
  readonly maxEcDsm?: number | undefined;
  /** Pump and valve controllers: the fault that takes commands and never answers them. */
  readonly neverAnswers?: boolean | undefined;
}

/** `fieldWater`: the water of the device's field — what its controllers put on it, what its sensors take. */
export function createDeviceModel(spec: ModelSpec, weather: Weather, fieldWater?: FieldWater): DeviceModel {
  const { seed, power, plantingMs } = spec;
  switch (spec.kind) {
    case 'soil_probe':
      return createSoilProbe({ weather, seed, power, plantingMs, initialWetness: spec.initialWetness, depthsCm: spec.depthsCm, soilTexture: spec.soilTexture, crop: spec.crop, fieldWater });
    case 'weather_station':
      return createWeatherStation({ weather, seed, power });
    case 'canal_sensor':
      return createCanalSensor({ weather, seed, power, peakEcDsm: spec.peakEcDsm });
    case 'awd_tube':
      return createAwdTube({ weather, seed, power, plantingMs, farmer: spec.farmer, crop: spec.crop, soilTexture: spec.soilTexture, fieldWater });
    case 'pump_controller':
    case 'valve_controller':
      return createController({
        kind: spec.kind, weather, seed, power, fieldWater, flowM3h: spec.flowM3h, maxEcDsm: spec.maxEcDsm, peakEcDsm: spec.peakEcDsm, neverAnswers: spec.neverAnswers,
      });
  }
}

export * from './common.js';
export { awdFarmPhase, createAwdTube, type AwdFarmPhase, type AwdTube, type AwdTubeOptions } from './awd-tube.js';
export { createCanalSensor, createCanalWater, TIDE_CONSTITUENTS, type CanalSensor, type CanalSensorOptions, type CanalWater } from './canal-sensor.js';
export { createController, DEFAULT_FLOW_M3H, MAX_RUN_MIN, type CommandOutcome, type Controller, type ControllerKind, type ControllerOptions } from './controller.js';
export { createSoilProbe, type SoilProbe, type SoilProbeOptions } from './soil-probe.js';
export { createWeatherStation, type WeatherStationOptions } from './weather-station.js';
export { cropKc, cropOf, crops, soilTexture, soilTextures, type Crop, type SoilTexture } from './crops.js';
