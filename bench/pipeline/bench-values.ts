// The four readings of message n of pipeline bench device d, shared by the load generator (loadgen.ts) and the raw
// ceiling (raw-ceiling.ts), which must write byte for byte the lines the ingest builds from those messages.
// The values move from message to message and differ between devices, as a field's do. Until 2026-12-07 every
// message carried the same four numbers (23.4, 25.1, 0.82, 87): the best case for InfluxDB's float compression,
// and not what a cooperative's probes send. Each value keeps a fixed width in the JSON payload, so the generator
// patches one encoded template per message instead of encoding each one.
export const BENCH_METRICS = ['soil_moisture@20cm', 'soil_temperature@20cm', 'soil_ec@20cm', 'battery'] as const;

/** The JSON texts of the four values: widths 4, 4, 4 and 2 whatever d and n. */
export function benchValueTexts(d: number, n: number): readonly [string, string, string, string] {
  return [
    (20 + ((7 * d + n) % 100) / 10).toFixed(1), // soil moisture 20.0–29.9 %, 0.1 a message
    (20 + ((3 * d + 7 * n) % 100) / 10).toFixed(1), // soil temperature 20.0–29.9 °C
    (0.5 + ((d + 3 * n) % 50) / 100).toFixed(2), // soil EC 0.50–0.99 dS/m
    String(99 - ((d + Math.floor(n / 50)) % 20)), // battery 80–99 %, down one every 50 messages
  ];
}

/** The four values as numbers (what the ingest parses from the texts). */
export function benchValues(d: number, n: number): number[] {
  return benchValueTexts(d, n).map(Number);
}
