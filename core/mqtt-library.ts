// mqtt.js, the MQTT client library of the rules engine, its notifier and command publisher, and the reading
// source: loaded once here with `require` (not lexed at every start: core/require-commonjs.ts), after mqtt-packet's
// number cache is turned off (core/mqtt-packet-numbers.ts), so no client of the process writes with the cache on.
import type * as Mqtt from 'mqtt';
import './mqtt-packet-numbers.js';
import { requireCommonJs } from './require-commonjs.js';

export const mqtt = requireCommonJs('mqtt') as typeof Mqtt;
