// The broker's settings (core/config.ts): documented defaults and the checks that stop a bad start-up.
import { describe, expect, it } from 'vitest';
import { brokerOptions } from '../../../cli/broker-config.js';
import { configDocs, loadConfig } from '../../../core/config.js';
import { silentLogger } from '../../../core/log.js';
import { createMetrics } from '../../../core/metrics.js';

describe('broker configuration', () => {
  it('has the documented limit defaults', () => {
    expect(loadConfig({})).toMatchObject({
      MQTT_MAX_PACKET_BYTES: 65_536, MQTT_KEEPALIVE_MAX_S: 1200, MQTT_CONNECT_TIMEOUT_S: 10, MQTT_DRAIN_TIMEOUT_S: 60,
      MQTT_CONNECT_RATE: 20, MQTT_CONNECT_BURST: 200, MQTT_PUBLISH_RATE: 100, MQTT_PUBLISH_BURST: 1000, MQTT_TLS_PORT: 8883,
    });
  });

  it('needs the TLS certificate and key together, and both before a client CA', () => {
    expect(() => loadConfig({ MQTT_TLS_CERT: '/etc/ruong/cert.pem' })).toThrow(/MQTT_TLS_KEY/);
    expect(() => loadConfig({ MQTT_TLS_KEY: '/etc/ruong/key.pem' })).toThrow(/MQTT_TLS_CERT/);
    expect(() => loadConfig({ MQTT_TLS_CA: '/etc/ruong/ca.pem' })).toThrow(/MQTT_TLS_CA/);
  });

  it('accepts only a redis:// or rediss:// REDIS_URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/1' }).REDIS_URL).toBe('redis://127.0.0.1:6379/1');
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL/);
  });

  it('documents every broker variable for `ruong --help`', () => {
    const documented = configDocs.flatMap(([names]) => names.split(' / '));
    for (const name of ['MQTT_TLS_PORT', 'MQTT_TLS_CERT', 'MQTT_TLS_KEY', 'MQTT_TLS_CA', 'MQTT_MAX_PACKET_BYTES', 'MQTT_KEEPALIVE_MAX_S', 'MQTT_CONNECT_TIMEOUT_S',
      'MQTT_DRAIN_TIMEOUT_S', 'MQTT_CONNECT_RATE', 'MQTT_CONNECT_BURST', 'MQTT_PUBLISH_RATE', 'MQTT_PUBLISH_BURST', 'REDIS_URL', 'BROKER_IDLE_COMPACTION']) {
      expect(documented).toContain(name);
    }
  });

  it('turns the idle compaction off with BROKER_IDLE_COMPACTION=false (on by default)', () => {
    const deps = { auth: { verifyDevice: () => Promise.resolve(false), verifyService: () => Promise.resolve(false) }, log: silentLogger(), metrics: createMetrics() };
    expect(loadConfig({}).BROKER_IDLE_COMPACTION).toBe(true);
    expect(brokerOptions(loadConfig({}), deps).idleCompaction).toBeUndefined(); // the broker's defaults
    expect(brokerOptions(loadConfig({ BROKER_IDLE_COMPACTION: 'false' }), deps).idleCompaction).toBe(false);
    expect(() => loadConfig({ BROKER_IDLE_COMPACTION: 'maybe' })).toThrow(/BROKER_IDLE_COMPACTION/);
  });
});
