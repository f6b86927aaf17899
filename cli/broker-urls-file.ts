// The broker URLs a running platform really answers on, written to DATA_DIR when `ruong start` or `ruong broker`
// is up, so that `ruong provision` — another process, often run from another shell with other settings — prints
// the URLs devices can reach instead of those of its own environment (issue 16). The file is the last started
// broker's; without it (never started on this DATA_DIR) provision falls back to PUBLIC_HOST / MQTT_*_PORT.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const BROKER_URLS_FILE = 'broker-urls.json';

const Recorded = z.object({ urls: z.array(z.string().regex(/^(mqtts?|wss?):\/\//)).min(1), writtenAt: z.string() });

export function recordBrokerUrls(dataDir: string, urls: readonly string[], now = new Date()): void {
  writeFileSync(join(dataDir, BROKER_URLS_FILE), `${JSON.stringify({ urls, writtenAt: now.toISOString() })}\n`);
}

/** The URLs the last broker started on this DATA_DIR recorded; undefined when none did (or the file is unreadable). */
export function recordedBrokerUrls(dataDir: string): string[] | undefined {
  try {
    const parsed = Recorded.safeParse(JSON.parse(readFileSync(join(dataDir, BROKER_URLS_FILE), 'utf8')));
    return parsed.success ? parsed.data.urls : undefined;
  } catch {
    return undefined;
  }
}
