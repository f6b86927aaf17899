// What a device is told once, at provisioning or after a new secret (README "Devices"): its MQTT
// credentials, the topics it may use and where the broker listens. Shared by `ruong provision` and
// POST /api/v1/devices. Ids starting with `ruong-` are reserved for service credentials (broker/acl.ts).
import { isValidDeviceId, topics } from '../telemetry/topics.js';

export interface DeviceCredentials {
  readonly deviceId: string;
  readonly username: string;
  readonly clientId: string;
  readonly secret: string;
  readonly topics: { readonly publish: readonly string[]; readonly subscribe: readonly string[]; readonly will: string };
  readonly brokerUrls: readonly string[];
}

export const RESERVED_ID_PREFIX = 'ruong-';

/** A device id the registry may hand out: 1–64 letters, digits, `-`, `_`, not reserved for services. */
export function isProvisionableDeviceId(id: string): boolean {
  return isValidDeviceId(id) && !id.startsWith(RESERVED_ID_PREFIX);
}

export function deviceCredentials(deviceId: string, secret: string, brokerUrls: readonly string[]): DeviceCredentials {
  return {
    deviceId, username: deviceId, clientId: deviceId, secret,
    topics: { publish: [topics.up(deviceId), topics.status(deviceId)], subscribe: [topics.down(deviceId)], will: topics.status(deviceId) },
    brokerUrls,
  };
}

/** mqtt://, ws:// and mqtts:// URLs of the listeners that are on. */
export function brokerUrls(host: string, ports: { tcp: number; ws?: number | undefined; tls?: number | undefined }): string[] {
  return [
    `mqtt://${host}:${ports.tcp}`,
    ...(ports.ws ? [`ws://${host}:${ports.ws}`] : []),
    ...(ports.tls ? [`mqtts://${host}:${ports.tls}`] : []),
  ];
}
