// Device topics (docs/architecture.md, wire contract): devices/{id}/up | status | down.

export const deviceIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export type DeviceTopicKind = 'up' | 'status' | 'down';

export const topics = {
  up: (deviceId: string) => `devices/${deviceId}/up`,
  status: (deviceId: string) => `devices/${deviceId}/status`,
  down: (deviceId: string) => `devices/${deviceId}/down`,
  allUp: 'devices/+/up',
} as const;

export function isValidDeviceId(id: string): boolean {
  return deviceIdPattern.test(id);
}

/** Parses `devices/{id}/{kind}`; undefined for anything else (no wildcards, no extra levels). */
export function parseDeviceTopic(topic: string): { deviceId: string; kind: DeviceTopicKind } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'devices') return undefined;
  const [, deviceId = '', kind = ''] = parts;
  if (!isValidDeviceId(deviceId)) return undefined;
  if (kind !== 'up' && kind !== 'status' && kind !== 'down') return undefined;
  return { deviceId, kind };
}
