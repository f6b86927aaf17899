// The MQTT events a LoRaWAN network server publishes for an uplink (docs/interop.md, field names exact):
// ChirpStack v4 `up` and `status` events (protobuf JSON: default values OMITTED — fCnt 0, confirmed
// false, adr false…) and The Things Stack v3 uplink messages (empty, 0 and false values omitted).
// `time` / `received_at` is when the network server got the frame: the sensor has no clock.
import { randomUUID } from 'node:crypto';

export interface UplinkFrame {
  readonly deviceId: string;
  readonly devEui: string; // 16 hex digits, lower case
  readonly devAddr: string; // 8 hex digits
  readonly fCnt: number;
  readonly fPort: number;
  readonly bytes: Buffer;
  readonly object: Record<string, unknown>;
  readonly receivedAtMs: number;
  readonly rssi: number;
  readonly snr: number;
  readonly spreadingFactor: number;
  readonly frequencyHz: number;
  readonly gatewayId: string; // 16 hex digits
  /** The Things Stack's normalised payload, when the device's codec has a normaliser. */
  readonly normalized?: Record<string, unknown>[] | undefined;
}

export interface NetworkIdentity {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly applicationId: string;
  readonly applicationName: string;
  readonly deviceProfileId: string;
  readonly deviceProfileName: string;
}

export interface MqttEvent {
  readonly topic: string;
  readonly payload: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** Protobuf JSON drops fields holding their type's default value. */
const omitDefaults = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== false && v !== '' && v !== undefined)) as Partial<T>;

function deviceInfo(f: UplinkFrame, n: NetworkIdentity): Record<string, unknown> {
  return {
    tenantId: n.tenantId, tenantName: n.tenantName, applicationId: n.applicationId, applicationName: n.applicationName,
    deviceProfileId: n.deviceProfileId, deviceProfileName: n.deviceProfileName, deviceName: f.deviceId, devEui: f.devEui, tags: {},
  };
}

/** ChirpStack v4: `application/{applicationId}/device/{devEui}/event/up`. */
export function chirpstackUp(f: UplinkFrame, n: NetworkIdentity): MqttEvent {
  const body = omitDefaults({
    deduplicationId: randomUUID(),
    time: iso(f.receivedAtMs),
    deviceInfo: deviceInfo(f, n),
    devAddr: f.devAddr,
    adr: true,
    dr: 12 - f.spreadingFactor, // AS923: DR0 = SF12 … DR5 = SF7
    fCnt: f.fCnt,
    fPort: f.fPort,
    confirmed: false,
    data: f.bytes.toString('base64'),
    object: f.object,
    rxInfo: [omitDefaults({
      gatewayId: f.gatewayId, uplinkId: (f.fCnt * 7919 + 1) % 65536, nsTime: iso(f.receivedAtMs), rssi: f.rssi, snr: f.snr, channel: 0,
      context: Buffer.from(f.receivedAtMs.toString(16).padStart(8, '0').slice(-8), 'hex').toString('base64'),
      metadata: { region_config_id: 'as923', region_common_name: 'AS923' }, crcStatus: 'CRC_OK',
    })],
    txInfo: { frequency: f.frequencyHz, modulation: { lora: { bandwidth: 125000, spreadingFactor: f.spreadingFactor, codeRate: 'CR_4_5' } } },
  });
  return { topic: `application/${n.applicationId}/device/${f.devEui}/event/up`, payload: JSON.stringify(body) };
}

/** ChirpStack v4 `status` event after a DevStatusReq: the battery as the device reports it. */
export function chirpstackStatus(f: UplinkFrame, n: NetworkIdentity, batteryPct: number): MqttEvent {
  const body = omitDefaults({
    deduplicationId: randomUUID(), time: iso(f.receivedAtMs), deviceInfo: deviceInfo(f, n),
    margin: Math.round(f.snr + 10), externalPowerSource: false, batteryLevelUnavailable: false, batteryLevel: Math.round(batteryPct * 100) / 100,
  });
  return { topic: `application/${n.applicationId}/device/${f.devEui}/event/status`, payload: JSON.stringify(body) };
}

/** The Things Stack v3: `v3/{application id}@{tenant id}/devices/{device id}/up`. */
export function ttsUp(f: UplinkFrame, n: NetworkIdentity): MqttEvent {
  const at = iso(f.receivedAtMs);
  const uplink = omitDefaults({
    session_key_id: Buffer.from(f.devAddr, 'hex').toString('base64'),
    f_port: f.fPort,
    f_cnt: f.fCnt,
    frm_payload: f.bytes.toString('base64'),
    decoded_payload: f.object,
    normalized_payload: f.normalized,
    rx_metadata: [omitDefaults({ gateway_ids: { gateway_id: `gw-${f.gatewayId.slice(-6)}`, eui: f.gatewayId.toUpperCase() }, time: at, rssi: f.rssi, channel_rssi: f.rssi, snr: f.snr, channel_index: 0 })],
    settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: f.spreadingFactor, coding_rate: '4/5' } }, frequency: String(f.frequencyHz) },
    received_at: at,
    consumed_airtime: `${(0.0016 * 2 ** f.spreadingFactor * (1 + f.bytes.length / 20)).toFixed(6)}s`,
  });
  const body = {
    end_device_ids: {
      device_id: f.deviceId, application_ids: { application_id: n.applicationId }, dev_eui: f.devEui.toUpperCase(), join_eui: '0000000000000000', dev_addr: f.devAddr.toUpperCase(),
    },
    correlation_ids: [`as:up:${randomUUID()}`],
    received_at: at,
    uplink_message: uplink,
  };
  return { topic: `v3/${n.applicationId}@${n.tenantId}/devices/${f.deviceId}/up`, payload: JSON.stringify(body) };
}
