// The broker's options from the configuration (core/config.ts), shared by `ruong start` and `ruong broker`.
// Reads the TLS PEM files here: only cli/ touches the file system for configuration.
import { readFileSync } from 'node:fs';
import type { BrokerAuth, BrokerOptions } from '../broker/broker-service.js';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import { brokerUrls } from '../core/registry/device-credentials.js';
import { ingestSessions } from '../core/telemetry/ingest-shards.js';
import { INGEST_SERVICE } from '../broker/acl.js';

export function tlsEnabled(config: Config): boolean {
  return config.MQTT_TLS_CERT !== undefined && config.MQTT_TLS_KEY !== undefined;
}

export function brokerOptions(config: Config, deps: { auth: BrokerAuth; log: Logger; metrics: Metrics }): BrokerOptions {
  const tls = tlsEnabled(config)
    ? {
        port: config.MQTT_TLS_PORT,
        cert: readFileSync(config.MQTT_TLS_CERT!),
        key: readFileSync(config.MQTT_TLS_KEY!),
        ca: config.MQTT_TLS_CA === undefined ? undefined : readFileSync(config.MQTT_TLS_CA),
      }
    : undefined;
  return {
    ...deps,
    host: config.MQTT_HOST, port: config.MQTT_PORT, wsPort: config.MQTT_WS_PORT === 0 ? undefined : config.MQTT_WS_PORT, tls,
    allowAnonymous: config.MQTT_ALLOW_ANONYMOUS,
    idleCompaction: config.BROKER_IDLE_COMPACTION ? undefined : false, // undefined: the broker's defaults
    redisUrl: config.REDIS_URL,
    ingestShards: config.INGEST_SHARDS,
    // Without Redis the broker creates the ingest's sessions and PUBACKs only what the ingest stored (issue 14).
    ingestSessions: ingestSessions(INGEST_SERVICE, config.INGEST_SHARDS),
    limits: {
      maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
      keepaliveMaxS: config.MQTT_KEEPALIVE_MAX_S,
      connectTimeoutS: config.MQTT_CONNECT_TIMEOUT_S,
      drainTimeoutS: config.MQTT_DRAIN_TIMEOUT_S,
      connectRate: { ratePerS: config.MQTT_CONNECT_RATE, burst: config.MQTT_CONNECT_BURST },
      publishRate: { ratePerS: config.MQTT_PUBLISH_RATE, burst: config.MQTT_PUBLISH_BURST },
    },
  };
}

/** Broker URLs for device credentials, from the configured ports (or the bound ones, when known). */
export function configuredBrokerUrls(config: Config, bound?: { tcp: number; ws: number | undefined; tls: number | undefined }): string[] {
  return brokerUrls(config.PUBLIC_HOST, bound ?? {
    tcp: config.MQTT_PORT,
    ws: config.MQTT_WS_PORT === 0 ? undefined : config.MQTT_WS_PORT,
    tls: tlsEnabled(config) ? config.MQTT_TLS_PORT : undefined,
  });
}
