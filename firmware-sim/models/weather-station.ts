// A field weather station: samples the shared simulated weather with sensor noise. Rain comes from a
// tipping bucket (0.2 mm per tip, docs/agronomy.md §6): the report carries the whole tips since the previous
// report and the part-filled bucket carries over, so no rain is lost or invented.
import type { Weather } from '../weather.js';
import { gaussian, hashInts, mulberry32 } from '../random.js';
import { createBattery, createIntegrator, HOUR_MS, put, type DeviceModel, type PowerOptions, type Readings } from './common.js';

export interface WeatherStationOptions {
  readonly weather: Weather;
  readonly seed: number;
  readonly power?: PowerOptions | undefined;
}

const TIP_MM = 0.2;
const MAX_RAIN_PER_REPORT = 60; // catalogue bound; anything above waits in the bucket for the next report

export function createWeatherStation(o: WeatherStationOptions): DeviceModel {
  const rng = mulberry32(hashInts(o.seed, 1));
  const noise = mulberry32(hashInts(o.seed, 2));
  const battery = createBattery({ initial: 60 + 35 * rng(), power: o.power, loadPctPerH: 0.3, panelPctPerHAt1000: 2.5, txCostPct: 0.01 });
  const { weather } = o;
  let bucket = 0; // mm since the last report

  const step = createIntegrator((from, to) => {
    bucket += weather.rainBetween(from, to);
    battery.step((to - from) / HOUR_MS, weather.at((from + to) / 2).solarRadiation);
  });

  function sample(ms: number): Readings {
    step(ms);
    const w = weather.at(ms);
    const out: Readings = {};
    put(out, 'air_temperature', w.airTemperature + 0.1 * gaussian(noise), 1);
    put(out, 'air_humidity', Math.min(100, w.airHumidity + 1 * gaussian(noise)), 1);
    put(out, 'wind_speed', Math.max(0, w.windSpeed * (1 + 0.05 * gaussian(noise))), 1);
    put(out, 'solar_radiation', w.solarRadiation > 0 ? w.solarRadiation * (1 + 0.02 * gaussian(noise)) : 0, 0);
    const tips = Math.min(Math.floor((bucket + 1e-9) / TIP_MM), MAX_RAIN_PER_REPORT / TIP_MM);
    bucket = Math.max(0, bucket - tips * TIP_MM);
    put(out, 'rain', tips * TIP_MM, 1);
    put(out, 'air_pressure', w.airPressure + 0.01 * gaussian(noise), 2);
    battery.transmit();
    put(out, 'battery', battery.level(), 1);
    return out;
  }

  return { kind: 'weather_station', step, sample, command: () => false, powered: () => battery.powered() };
}
