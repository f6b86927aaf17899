// Device profiles shipped with Ruộng (issue 4): what common LoRaWAN soil and climate sensors' vendor codecs
// return, mapped to our metrics. Data, not code: an operator adds more through the registry.
// Field names are those of the vendors' published TTN/ChirpStack payload decoders.
import type { DeviceProfile } from '../telemetry/device-profile.js';

export const seedProfiles: readonly DeviceProfile[] = [
  {
    id: 'dragino-lse01',
    name: 'Dragino LSE01 soil moisture & EC sensor',
    vendor: 'Dragino',
    model: 'LSE01',
    description: 'Codec output {BatV, TempC_DS18B20, water_SOIL, temp_SOIL, conduct_SOIL, Mod, i_flag, s_flag}; '
      + 'water_SOIL and temp_SOIL come as strings (toFixed(2)), conduct_SOIL in µS/cm.',
    fields: {
      water_SOIL: { metric: 'soil_moisture' },
      temp_SOIL: { metric: 'soil_temperature' },
      conduct_SOIL: { metric: 'soil_ec', scale: 0.001 }, // µS/cm → dS/m
    },
  },
  {
    id: 'sensecap-s2105',
    name: 'SenseCAP S2105 soil moisture, temperature & EC sensor',
    vendor: 'Seeed Studio',
    model: 'S2105',
    description: 'Codec output {err, valid, payload, messages: [[{measurementId, measurementValue, type}]]}; '
      + 'measurement ids 4102 soil temperature (°C), 4103 soil moisture (%), 4108 soil EC (dS/m).',
    fields: {},
    measurements: {
      path: 'messages',
      idKey: 'measurementId',
      valueKey: 'measurementValue',
      map: { 4102: { metric: 'soil_temperature' }, 4103: { metric: 'soil_moisture' }, 4108: { metric: 'soil_ec' } },
    },
  },
  {
    id: 'dragino-lht65',
    name: 'Dragino LHT65 temperature & humidity sensor',
    vendor: 'Dragino',
    model: 'LHT65',
    description: 'Codec output {BatV, Bat_status, TempC_SHT, Hum_SHT, TempC_DS, Ext_sensor}.',
    fields: {
      TempC_SHT: { metric: 'air_temperature' },
      Hum_SHT: { metric: 'air_humidity' },
    },
  },
];
