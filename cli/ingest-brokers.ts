// The broker(s) `ruong ingest` and `ruong rules` subscribe to: INGEST_MQTT_URL (one mqtt://host:port, or
// several separated by commas — the brokers of a cluster, tried in turn), default this machine's MQTT_PORT.
import type { Config } from '../core/config.js';

export interface BrokerAddress { readonly host: string; readonly port: number }

export function ingestBrokers(config: Config): [BrokerAddress, ...BrokerAddress[]] {
  const urls = (config.INGEST_MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`).split(',').map((u) => new URL(u.trim()));
  const addresses = urls.map((url) => ({ host: url.hostname, port: url.port ? Number(url.port) : 1883 }));
  return [addresses[0]!, ...addresses.slice(1)];
}

export const brokerUrlOf = (a: BrokerAddress): string => `mqtt://${a.host}:${a.port}`;
