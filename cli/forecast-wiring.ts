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
  // the farms' locations, read from the registry at each poll: a farm placed since the last poll is polled now
  async function locations(): Promise<readonly ForecastLocation[]> {
    const farms: Farm[] = [];
    for (const id of await deps.cooperativeIds()) farms.push(...await deps.registry.farms(staff(id)));
    return farms.map(locationOf).filter((l): l is ForecastLocation => l !== undefined);
  }
  const inner = createForecastService({
    provider: createOpenMeteoProvider({ url: config.FORECAST_URL }),
    locations,
    cacheFile: join(config.DATA_DIR, 'forecast-cache.json'),
    log: deps.log,
    now: deps.now,
  });
  const service: ForecastService = inner;
  return {
    service,
    forFarm(farm) {
      const l = locationOf(farm);
      return l && service.at(l);
    },
  };
}
