import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ DATA_DIR: './data', STORE: 'sqlite', HTTP_PORT: 8080, MQTT_PORT: 1883, MQTT_WS_PORT: 8083, MQTT_ALLOW_ANONYMOUS: false, DEMO: true });
  });

  it('coerces numbers and booleans from strings', () => {
    const c = loadConfig({ HTTP_PORT: '9090', MQTT_ALLOW_ANONYMOUS: 'true', SIM_SPEED: '3600' });
    expect(c.HTTP_PORT).toBe(9090);
    expect(c.MQTT_ALLOW_ANONYMOUS).toBe(true);
    expect(c.SIM_SPEED).toBe(3600);
  });

  it('names the variable when a value is bad', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
    expect(() => loadConfig({ STORE: 'postgres' })).toThrow(/STORE/);
    expect(() => loadConfig({ MQTT_PORT: '70000' })).toThrow(/MQTT_PORT/);
  });

  it('requires INFLUX_URL when STORE=influx', () => {
    expect(() => loadConfig({ STORE: 'influx' })).toThrow(/INFLUX_URL/);
    expect(loadConfig({ STORE: 'influx', INFLUX_URL: 'http://127.0.0.1:8086/ruong' }).INFLUX_URL).toBe('http://127.0.0.1:8086/ruong');
  });

  it('needs REDIS_URL for sharded ingest workers and accepts several ingest brokers', () => {
    expect(() => loadConfig({ INGEST_SHARDS: '8' })).toThrow(/INGEST_SHARDS=8: sharded ingest workers need REDIS_URL/);
    expect(loadConfig({ INGEST_SHARDS: '8', REDIS_URL: 'redis://127.0.0.1:6379' }).INGEST_SHARDS).toBe(8);
    expect(() => loadConfig({ INGEST_SHARDS: '2000', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/INGEST_SHARDS/);
    expect(loadConfig({ INGEST_MQTT_URL: 'mqtt://a:1883,mqtt://b:1884' }).INGEST_MQTT_URL).toBe('mqtt://a:1883,mqtt://b:1884');
    expect(() => loadConfig({ INGEST_MQTT_URL: 'mqtt://a:1883,http://b' })).toThrow(/INGEST_MQTT_URL/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ HTTP_PORT: '' }).HTTP_PORT).toBe(8080);
  });
});
