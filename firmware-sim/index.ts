// The firmware simulator's public API: the fleet runner, the device models, the simulated weather,
// the wire formats, faults and scenarios.
export { createSimulator, SimDeviceSpec, type Simulator, type SimulatorOptions, type SimulatorTotals } from './simulator.js';
export { DeviceFormat, isLorawan } from './device-spec.js';
export { ControlCommandMessage, createSimDevice, DeviceCommandMessage, DownCommand, type SimDevice, type SimDeviceOptions, type SimDeviceStats } from './sim-device.js';
export { createFieldWater, createFieldWaters, type FieldWater, type WaterRun } from './field-water.js';
export { createLorawanDevice, devEuiOf } from './lorawan-device.js';
export { createNetworkServer, commandOf, encodeDownlink, LNS_SERVICE, type NetworkServer, type NetworkServerFlavour } from './network-server.js';
export { createSimClock, type SimClock } from './clock.js';
export { createSampler, type Entry, type Sampler } from './sampler.js';
export { createFaultInjector, faultMatches, SensorFault } from './faults.js';
export { createLinkPlan, FlakyLink, OfflineWindow, type LinkPlan } from './connectivity.js';
export { createRadio, type Radio } from './radio.js';
export * as formats from './formats/index.js';
export * from './models/index.js';
export * from './weather.js';
export { WeatherEvent } from './weather-events.js';
export * as fao56 from '../core/agronomy/index.js';
export { mulberry32, hashInts, hashString, noiseAt, type Rng } from './random.js';
export { loadScenario, parseScenario, resolveScenario, Scenario, type ResolvedScenario } from './scenario.js';
export { runOffline, type OfflineDevice } from './offline-run.js';
export { fleetWithCredentials, generateFleet, parseDevicesFile } from './fleet.js';
