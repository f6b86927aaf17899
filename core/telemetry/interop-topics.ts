// Topics of the interop formats (docs/interop.md). Network servers publish with a service credential on their
// own topics; a ThingsBoard device publishes `v1/devices/me/telemetry` and the broker, which knows who
// is connected, rewrites that to the device-scoped topic below before anyone sees it.
export const interopTopics = {
  /** What a ThingsBoard device publishes (identity comes from its credentials). */
  thingsboardTelemetry: 'v1/devices/me/telemetry',
  /** The device-scoped topic the broker rewrites it to. */
  thingsboard: (deviceId: string) => `devices/${deviceId}/up/thingsboard`,
  allThingsboard: 'devices/+/up/thingsboard',
  /** ChirpStack v4: application/{applicationId}/device/{devEui}/event/{event}. */
  allChirpstack: 'application/+/device/+/event/+',
  /** The Things Stack v3: v3/{application id}[@{tenant id}]/devices/{device id}/up. */
  allTts: 'v3/+/devices/+/up',
} as const;

/** Every topic filter the ingest subscribes to besides `devices/+/up`. */
export const interopSubscriptions: readonly string[] = [interopTopics.allThingsboard, interopTopics.allChirpstack, interopTopics.allTts];
