// Least privilege for the identities issue 3 adds: the LoRaWAN network server's service credential,
// last wills, and client ids reserved for services.
import { describe, expect, it } from 'vitest';
import { INGEST_SERVICE, LNS_SERVICE, isReservedClientId, mayPublish, maySubscribe, mayUseWill } from '../../../broker/acl.js';

const device = { kind: 'device', deviceId: 'probe-1' } as const;
const lns = { kind: 'service', name: LNS_SERVICE } as const;
const ingest = { kind: 'service', name: INGEST_SERVICE } as const;

describe('ACL for the LoRaWAN network server credential', () => {
  it('publishes under application/# and v3/# only', () => {
    expect(mayPublish(lns, 'application/42/device/0004a30b001c0530/event/up')).toBe(true);
    expect(mayPublish(lns, 'v3/rice-app@ttn/devices/probe-7/up')).toBe(true);
    expect(mayPublish(lns, 'devices/probe-1/up')).toBe(false);
    expect(mayPublish(lns, 'applications/x')).toBe(false);
    expect(mayPublish(lns, '$SYS/x')).toBe(false);
  });

  it('subscribes only to downlink command topics, never to uplinks or #', () => {
    expect(maySubscribe(lns, 'application/+/device/+/command/down')).toBe(true);
    expect(maySubscribe(lns, 'v3/+/devices/+/down/push')).toBe(true);
    expect(maySubscribe(lns, 'application/#')).toBe(false);
    expect(maySubscribe(lns, '#')).toBe(false);
  });

  it('lets the ingest read the network servers\' uplinks', () => {
    expect(maySubscribe(ingest, 'application/#')).toBe(true);
    expect(maySubscribe(ingest, 'v3/#')).toBe(true);
    expect(mayPublish(ingest, 'application/1/device/x/event/up')).toBe(false);
  });
});

describe('ACL for the sharded ingest (issue 9)', () => {
  it('lets only the ingest read the shard topics the brokers route uplinks to', () => {
    expect(maySubscribe(ingest, 'ingest/3/#')).toBe(true);
    expect(maySubscribe(ingest, 'ingest/+/#')).toBe(true);
    expect(maySubscribe(lns, 'ingest/3/#')).toBe(false);
    expect(maySubscribe(device, 'ingest/3/#')).toBe(false);
  });

  it('lets nobody publish into a shard topic directly', () => {
    for (const who of [device, lns, ingest, { kind: 'anonymous' } as const]) expect(mayPublish(who, 'ingest/3/devices/probe-1/up')).toBe(false);
  });
});

describe('ACL for anonymous clients (MQTT_ALLOW_ANONYMOUS=true)', () => {
  const anonymous = { kind: 'anonymous' } as const;
  it('may send readings like a simulated device, and test topics', () => {
    expect(mayPublish(anonymous, 'devices/probe-1/up')).toBe(true);
    expect(mayPublish(anonymous, 'devices/probe-1/status')).toBe(true);
    expect(mayPublish(anonymous, 'TopicA/B')).toBe(true);
  });

  it('may never command a pump or send what only a service sends', () => {
    for (const topic of ['devices/pump-1/down', 'devices/pump-1/down/x', 'application/42/device/0004a30b001c0530/command/down',
      'v3/rice-app@ttn/devices/pump-1/down/push', 'v3/rice-app/devices/pump-1/down/replace', 'alerts/farm-mekong', '$SYS/x']) {
      expect(mayPublish(anonymous, topic)).toBe(false);
      expect(mayUseWill(anonymous, topic)).toBe(false);
    }
  });
});

describe('last will', () => {
  it('is a device\'s own status topic and nothing else', () => {
    expect(mayUseWill(device, 'devices/probe-1/status')).toBe(true);
    expect(mayUseWill(device, 'devices/probe-1/up')).toBe(false);
    expect(mayUseWill(device, 'devices/probe-2/status')).toBe(false);
  });
});

describe('reserved client ids', () => {
  it('reserves ruong-* for service credentials', () => {
    expect(isReservedClientId('ruong-ingest')).toBe(true);
    expect(isReservedClientId('ruong-lns-chirpstack')).toBe(true);
    expect(isReservedClientId('probe-1')).toBe(false);
  });
});

describe('ACL for a device\'s own publishes', () => {
  it('allows exactly its own up and status topics, not a neighbour\'s or a near miss', () => {
    expect(mayPublish(device, 'devices/probe-1/up')).toBe(true);
    expect(mayPublish(device, 'devices/probe-1/status')).toBe(true);
    for (const topic of ['devices/probe-2/up', 'devices/probe-10/up', 'devices/probe-/up', 'devices/probe-1/upx', 'devices/probe-1/u',
      'devices/probe-1/down', 'devices/probe-1/up/x', 'xdevices/probe-1/up', 'devices/probe-1//up', 'devices/probe-1/statu']) {
      expect(mayPublish(device, topic), topic).toBe(false);
    }
  });
});
