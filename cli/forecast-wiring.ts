// Wires the weather forecast (issue 17, core/weather): on when FORECAST_URL is set, polled for the location of
// every farm that has one (farms without lat/lon get no forecast), cached in DATA_DIR/forecast-cache.json.
// Unset (the default, CI, offline installs): no service, no request ever leaves the machine.
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../core/registry/registry.js';
import type { Farm } from '../core/registry/types.js';
import type { Forecast, ForecastLocation } from '../core/weather/forecast.js';
import { createForecastService, type ForecastService } from '../core/weather/forecast-service.js';
import { createOpenMeteoProvider } from '../core/weather/open-meteo.js';

export interface ForecastWiring {
  readonly service: ForecastService;
  /** The forecast at a farm, for the rules engine (undefined: no location or nothing fetched yet). */
  forFarm(farm: Farm): Forecast | undefined;
}

const locationOf = (farm: Farm): ForecastLocation | undefined => (farm.lat !== null && farm.lon !== null ? { lat: farm.lat, lon: farm.lon } : undefined);

export function wireForecast(
  config: Config, deps: { registry: Registry; cooperativeIds: () => Promise<readonly string[]>; log: Logger; now?: (() => number) | undefined },
): ForecastWiring | undefined {
  if (!config.FORECAST_URL) return undefined;
  const staff = (cooperativeId: string) => ({ cooperativeId, role: 'technician' as const, farmIds: [] });
  // The forecast service reads its locations synchronously at each poll, the registry is asynchronous: the farms'
  // locations are read before the start and before each refresh asked for here, and again (in the background) at
  // each of the service's own polls — a farm placed since is polled from the next poll on.
  let locations: readonly ForecastLocation[] = [];
  let reading: Promise<void> | undefined;
  function readLocations(): Promise<void> {
    reading ??= (async () => {
      try {
        const farms: Farm[] = [];
        for (const id of await deps.cooperativeIds()) farms.push(...await deps.registry.farms(staff(id)));
        locations = farms.map(locationOf).filter((l): l is ForecastLocation => l !== undefined);
      } catch (err) {
        deps.log.warn({ err }, 'forecast locations not read: the last ones kept');
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }
  const inner = createForecastService({
    provider: createOpenMeteoProvider({ url: config.FORECAST_URL }),
    locations: () => {
      void readLocations();
      return locations;
    },
    cacheFile: join(config.DATA_DIR, 'forecast-cache.json'),
    log: deps.log,
    now: deps.now,
  });
  const service: ForecastService = {
    name: inner.name,
    at: (l) => inner.at(l),
    stats: () => inner.stats(),
    stop: () => inner.stop(),
    async refresh() {
      await readLocations();
      await inner.refresh();
    },
    async start() {
      await readLocations();
      await inner.start();
    },
  };
  return {
    service,
    forFarm(farm) {
      const l = locationOf(farm);
      return l && service.at(l);
    },
  };
}
