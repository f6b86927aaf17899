// LoRaWAN on the wire as the network servers publish it (docs/interop.md): ChirpStack v4 events omit fields
// holding their default value, The Things Stack v3 uplinks carry the device and gateway metadata; the
// codecs pack readings into a few bytes; downlinks come back as commands.
import { describe, expect, it } from 'vitest';
import { draginoLse01, ruongV1 } from '../../../firmware-sim/formats/lorawan-codecs.js';
import { chirpstackStatus, chirpstackUp, ttsUp, type NetworkIdentity, type UplinkFrame } from '../../../firmware-sim/formats/lorawan-uplinks.js';
import { devEuiOf } from '../../../firmware-sim/lorawan-device.js';
import { commandOf, encodeDownlink } from '../../../firmware-sim/network-server.js';

const identity: NetworkIdentity = { tenantId: 't1', tenantName: 'T', applicationId: 'app-1', applicationName: 'A', deviceProfileId: 'dp', deviceProfileName: 'P' };
const readings = { 'soil_moisture@20cm': 31.4, 'soil_temperature@20cm': 26.3, soil_ec: 0.42, battery: 87.3 };
const frame = (fCnt: number): UplinkFrame => {
  const bytes = draginoLse01(20).encode(readings);
  return {
    deviceId: 'lse-1', devEui: devEuiOf('lse-1'), devAddr: '01a2b3c4', fCnt, fPort: 2, bytes, object: draginoLse01(20).decode(bytes),
    receivedAtMs: Date.UTC(2025, 2, 1, 3, 0, 0, 250), rssi: -97, snr: 6.5, spreadingFactor: 9, frequencyHz: 923_200_000, gatewayId: 'ac1f09fffe0b1e50',
  };
};

describe('LoRaWAN codecs', () => {
  it('Dragino LSE01: 11 bytes, decoded as its vendor decoder does (strings, volts, µS/cm)', () => {
    const bytes = draginoLse01(20).encode(readings);
    expect(bytes).toHaveLength(11);
    expect(draginoLse01(20).decode(bytes)).toEqual({ BatV: 3.46, TempC_DS18B20: '0.00', water_SOIL: '31.40', temp_SOIL: '26.30', conduct_SOIL: 420, Mod: 0, i_flag: 0, s_flag: 1 });
  });

  it('ruong-v1: 4 bytes a reading, decoded to catalogue keys at the readings’ resolution', () => {
    const r = { 'soil_moisture@20cm': 31.4, water_level: 187.3, solar_radiation: 812, awd_level: -12.5, air_pressure: 101.27 };
    const bytes = ruongV1.encode(r);
    expect(bytes).toHaveLength(20);
    expect(ruongV1.decode(bytes)).toEqual(r);
  });
});

describe('network server events', () => {
  it('ChirpStack v4 up: exact field names, the topic by DevEUI, defaults omitted (fCnt 0, confirmed false)', () => {
    const first = chirpstackUp(frame(0), identity);
    expect(first.topic).toBe(`application/app-1/device/${devEuiOf('lse-1')}/event/up`);
    const body = JSON.parse(first.payload) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['adr', 'data', 'deduplicationId', 'devAddr', 'deviceInfo', 'dr', 'fPort', 'object', 'rxInfo', 'time', 'txInfo']);
    expect(body).toMatchObject({ time: '2025-03-01T03:00:00.250Z', fPort: 2, dr: 3, deviceInfo: { applicationId: 'app-1', deviceName: 'lse-1', devEui: devEuiOf('lse-1') } });
    expect((body.rxInfo as Record<string, unknown>[])[0]).toMatchObject({ gatewayId: 'ac1f09fffe0b1e50', rssi: -97, snr: 6.5, crcStatus: 'CRC_OK' });
    expect(JSON.parse(chirpstackUp(frame(7), identity).payload)).toMatchObject({ fCnt: 7 });
    expect(JSON.parse(chirpstackStatus(frame(7), identity, 87.25).payload)).toMatchObject({ batteryLevel: 87.25, margin: 17 });
  });

  it('The Things Stack v3 up: end_device_ids, uplink_message with rx_metadata and settings', () => {
    const up = ttsUp(frame(3), identity);
    expect(up.topic).toBe('v3/app-1@t1/devices/lse-1/up');
    const body = JSON.parse(up.payload) as { end_device_ids: unknown; uplink_message: Record<string, unknown>; received_at: string };
    expect(body.end_device_ids).toEqual({ device_id: 'lse-1', application_ids: { application_id: 'app-1' }, dev_eui: devEuiOf('lse-1').toUpperCase(), join_eui: '0000000000000000', dev_addr: '01A2B3C4' });
    expect(body.uplink_message).toMatchObject({ f_port: 2, f_cnt: 3, frm_payload: frame(3).bytes.toString('base64'), decoded_payload: { water_SOIL: '31.40' }, settings: { data_rate: { lora: { spreading_factor: 9 } } } });
    expect(body.received_at).toBe('2025-03-01T03:00:00.250Z');
    expect((JSON.parse(ttsUp(frame(0), identity).payload) as { uplink_message: object }).uplink_message).not.toHaveProperty('f_cnt');
  });

  it('downlinks: a binary command or a decoded object becomes a device command; garbage does not', () => {
    expect(commandOf({ data: encodeDownlink({ cmd: 'irrigate', mm: 12.5 }).toString('base64') })).toEqual({ cmd: 'irrigate', mm: 12.5 });
    expect(commandOf({ frm_payload: encodeDownlink({ cmd: 'valve', minutes: 90 }).toString('base64') })).toEqual({ cmd: 'valve', minutes: 90 });
    expect(commandOf({ object: { cmd: 'valve', minutes: 30 } })).toEqual({ cmd: 'valve', minutes: 30 });
    expect(commandOf({ data: Buffer.from([9, 0, 1]).toString('base64') })).toBeUndefined();
    expect(commandOf({ decoded_payload: { cmd: 'valve', minutes: -1 } })).toBeUndefined();
  });
});
