// The forecast contract for the Open-Meteo-compatible provider, against a local HTTP peer serving the recorded
// response (test/fixtures/forecast/): never the internet.
import { createOpenMeteoProvider } from '../../core/weather/open-meteo.js';
import { readFixture, startForecastPeer } from '../helpers/forecast-peer.js';
import { forecastContract } from './forecast.contract.js';

forecastContract('Open-Meteo-compatible HTTP (local peer)', async () => {
  const peer = await startForecastPeer();
  return {
    provider: (timeoutMs) => createOpenMeteoProvider({ url: peer.url, timeoutMs }),
    answer: (a) => peer.answer(a),
    recorded: readFixture('open-meteo-daily.json'),
    recordedError: readFixture('open-meteo-error.json'),
    requests: () => peer.requests.map((u) => u.searchParams),
    close: () => peer.close(),
  };
});
