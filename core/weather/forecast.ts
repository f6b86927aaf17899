// The weather forecast behind one interface (issue 17): daily precipitation (mm) and its probability (%) for
// the next days at a farm's location, with when it was fetched and whether it is stale. Providers
// (core/weather/open-meteo.ts) only fetch; core/weather/forecast-service.ts polls, caches and labels.

/** One forecast day, in the farm's local calendar (Asia/Ho_Chi_Minh). */
export interface ForecastDay {
  /** YYYY-MM-DD, local. */
  readonly date: string;
  /** Precipitation sum of the day, mm; null when the provider has no value. */
  readonly precipitationMm: number | null;
  /** Highest precipitation probability of the day, %; null when the provider has no value. */
  readonly probabilityPct: number | null;
}

/** The last good forecast known for a location. */
export interface Forecast {
  readonly lat: number;
  readonly lon: number;
  readonly days: readonly ForecastDay[];
  /** When the provider answered, ms since epoch. */
  readonly fetchedAt: number;
  /** Older than the service's stale age (default 12 h): still shown and used, labelled so. */
  readonly stale: boolean;
}

export interface ForecastLocation {
  readonly lat: number;
  readonly lon: number;
}

/** Where forecasts come from. Throws on a network error, a timeout, an HTTP error or a body it cannot read. */
export interface ForecastProvider {
  readonly name: string;
  daily(location: ForecastLocation, days: number): Promise<ForecastDay[]>;
}

/** A location's cache key: ~1 km, finer than any forecast grid (Open-Meteo's finest is ~1–2 km). */
export const locationKey = (l: ForecastLocation): string => `${l.lat.toFixed(2)},${l.lon.toFixed(2)}`;
