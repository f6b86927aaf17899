// The CONNACK check of bench/broker/lean-connect-loader.ts (MQTT 3.1.1 §3.2): a device counts as connected only
// for exactly this packet — fixed header 0x20, remaining length 2, acknowledge flags with nothing but Session
// Present (MQTT-3.2.2-1: reserved bits 0), return code 0 (Connection Accepted).

/** Why the 4 bytes that came first are not an accepting CONNACK, or '' when they are one. */
export function connackRefusal(b0: number, b1: number, flags: number, returnCode: number): string {
  if (b0 !== 0x20) return `expected CONNACK, got packet type ${b0 >> 4}`;
  if (b1 !== 0x02) return `CONNACK remaining length ${b1}`;
  if ((flags & 0xfe) !== 0) return `CONNACK flags ${flags}`;
  if (returnCode !== 0) return `CONNACK return code ${returnCode}`;
  return '';
}
