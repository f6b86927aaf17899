// The firmware simulator's public API: the fleet runner, the device models and the simulated weather.
export { createSimulator, SimDeviceSpec, type Simulator, type SimulatorOptions } from './simulator.js';
export { createSimDevice, DeviceCommandMessage, type SimDevice, type SimDeviceOptions, type SimDeviceStats } from './sim-device.js';
export { createSimClock, type SimClock } from './clock.js';
export * from './models/index.js';
export * from './weather.js';
export * as fao56 from './fao56.js';
export { mulberry32, hashInts, hashString, noiseAt, type Rng } from './random.js';
