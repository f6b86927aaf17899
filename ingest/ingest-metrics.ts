// The ingest's own Prometheus metrics (issue 4), registered on the process's registry next to
// core/metrics.ts. Created once per registry: a restarted ingest in the same process reuses them.
import { Counter, Gauge, type Registry } from 'prom-client';

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []): Counter {
  return (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  return (registry.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, registers: [registry] });
}

export function createIngestMetrics(registry: Registry) {
  return {
    decoded: counter(registry, 'ruong_ingest_decoded_total', 'Messages decoded, by wire format', ['format']),
    ignored: counter(registry, 'ruong_ingest_ignored_total', 'Messages carrying no readings by design (e.g. a ChirpStack join), by format', ['format']),
    flagged: counter(registry, 'ruong_ingest_flagged_readings_total', 'Readings stored with a plausibility or time flag, by flag', ['flag']),
    seqMissing: counter(registry, 'ruong_ingest_seq_missing_total', 'Sequence numbers found missing (gaps in a device\'s numbering)'),
    seqLate: counter(registry, 'ruong_ingest_seq_late_total', 'Missing sequence numbers that arrived late'),
    seqDuplicates: counter(registry, 'ruong_ingest_seq_duplicates_total', 'Messages whose sequence number was already seen (re-sent)'),
    seqResets: counter(registry, 'ruong_ingest_seq_resets_total', 'Devices that restarted their sequence numbering'),
    seqOpen: gauge(registry, 'ruong_ingest_seq_missing_open', 'Sequence numbers still missing across devices seen since start'),
    spoolBytes: gauge(registry, 'ruong_ingest_spool_bytes', 'Bytes of batches spooled on disk while the store is unavailable'),
    spoolLimit: gauge(registry, 'ruong_ingest_spool_limit_bytes', 'Spool size at which the ingest stops acknowledging'),
    spooled: counter(registry, 'ruong_ingest_spooled_batches_total', 'Batches written to the spool because the store was unavailable'),
    replayed: counter(registry, 'ruong_ingest_replayed_batches_total', 'Spooled batches written to the store'),
    spoolFull: counter(registry, 'ruong_ingest_spool_full_total', 'Batches refused because the spool was full (backpressure)'),
    poisoned: counter(registry, 'ruong_ingest_spool_poisoned_batches_total', 'Spooled batches the store refused as invalid, set aside in spool/rejected'),
    rollupWindows: counter(registry, 'ruong_rollup_windows_refreshed_total', 'Device-hours whose hourly and daily rollups were recomputed'),
  };
}
export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
