// Each bench device's own secret in bench/broker/operator.ts, derivable by the load-generator processes without
// passing 10,000 secrets over IPC: 192 bits like a provisioned secret (core/registry/secrets.ts generateSecret),
// from a random key per run.
import { createHmac } from 'node:crypto';

export function operatorSecret(runKey: string, device: number): string {
  return createHmac('sha256', runKey).update(String(device)).digest().subarray(0, 24).toString('base64url');
}
