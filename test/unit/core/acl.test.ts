import { describe, expect, it } from 'vitest';
import { INGEST_SERVICE, mayPublish, maySubscribe } from '../../../broker/acl.js';
import { parseDeviceTopic } from '../../../core/telemetry/topics.js';

const device = { kind: 'device', deviceId: 'probe-1' } as const;
const ingest = { kind: 'service', name: INGEST_SERVICE } as const;

describe('topic ACL (least privilege)', () => {
  it('lets a device publish only its own up and status topics', () => {
    expect(mayPublish(device, 'devices/probe-1/up')).toBe(true);
    expect(mayPublish(device, 'devices/probe-1/status')).toBe(true);
    expect(mayPublish(device, 'devices/probe-2/up')).toBe(false);
    expect(mayPublish(device, 'devices/probe-1/down')).toBe(false);
    expect(mayPublish(device, 'devices/probe-1/up/extra')).toBe(false);
  });

  it('lets a device subscribe only to its own down topic, never wildcards', () => {
    expect(maySubscribe(device, 'devices/probe-1/down')).toBe(true);
    expect(maySubscribe(device, 'devices/+/down')).toBe(false);
    expect(maySubscribe(device, '#')).toBe(false);
    expect(maySubscribe(device, 'devices/probe-2/down')).toBe(false);
  });

  it('gives the ingest the readings it needs and no more', () => {
    expect(maySubscribe(ingest, 'devices/+/up')).toBe(true);
    expect(maySubscribe(ingest, '#')).toBe(false);
    expect(mayPublish(ingest, 'devices/probe-1/up')).toBe(false);
    expect(mayPublish(ingest, 'devices/probe-1/down')).toBe(true);
  });

  it('parses device topics strictly', () => {
    expect(parseDeviceTopic('devices/probe-1/up')).toEqual({ deviceId: 'probe-1', kind: 'up' });
    expect(parseDeviceTopic('devices/+/up')).toBeUndefined();
    expect(parseDeviceTopic('devices/probe-1/up/x')).toBeUndefined();
    expect(parseDeviceTopic('application/1/device/abc/event/up')).toBeUndefined();
  });
});
