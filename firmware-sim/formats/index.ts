// The wire formats a simulated device can speak (docs/interop.md).
import { nativeFormat } from './native.js';
import { senmlFormat } from './senml.js';
import { thingsboardFormat } from './thingsboard.js';
import type { MqttFormat } from './types.js';

export const mqttFormats: Readonly<Record<MqttFormat['name'], MqttFormat>> = {
  native: nativeFormat,
  senml: senmlFormat,
  thingsboard: thingsboardFormat,
};

export * from './types.js';
export { nativeFormat } from './native.js';
export { encodeSenml, senmlBaseName, senmlFormat, senmlUnits, type SenmlRecord } from './senml.js';
export { THINGSBOARD_TELEMETRY_TOPIC, thingsboardFormat } from './thingsboard.js';
export { codecFor, draginoLse01, ruongV1, type FieldMapping, type LorawanCodec } from './lorawan-codecs.js';
export { chirpstackStatus, chirpstackUp, ttsUp, type MqttEvent, type NetworkIdentity, type UplinkFrame } from './lorawan-uplinks.js';
