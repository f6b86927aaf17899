// The broker URLs a running platform really answers on, written to DATA_DIR when `ruong start` or `ruong broker`
// is up, so that `ruong provision` — another process, often run from another shell with other settings — prints
// the URLs devices can reach instead of those of its own environment (issue 16). The file is the last started
// broker's; without it (never started on this DATA_DIR) provision falls back to PUBLIC_HOST / MQTT_*_PORT.
// With the registry on PostgreSQL (REGISTRY_URL) the URLs are also recorded in the registry, which processes on
// other hosts read instead of the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BROKER_URLS_FILE = 'broker-urls.json';

/**
 * The URLs of a recording ({ urls: [mqtt(s)/ws(s) URLs, at least one], writtenAt }), undefined when it is not one.
 * A plain check, not a zod schema: `ruong broker` loads this module, and zod is kept off its start path (issue 19).
 */
function recordedUrls(value: unknown): string[] | undefined {
  const r = value as { urls?: unknown; writtenAt?: unknown } | null;
  if (typeof r !== 'object' || r === null || typeof r.writtenAt !== 'string' || !Array.isArray(r.urls) || r.urls.length === 0) return undefined;
  return r.urls.every((u) => typeof u === 'string' && /^(mqtts?|wss?):\/\//.test(u)) ? [...(r.urls as string[])] : undefined;
}

export function recordBrokerUrls(dataDir: string, urls: readonly string[], now = new Date()): void {
  writeFileSync(join(dataDir, BROKER_URLS_FILE), `${JSON.stringify({ urls, writtenAt: now.toISOString() })}\n`);
}

/** The URLs the last broker started on this DATA_DIR recorded; undefined when none did (or the file is unreadable). */
export function recordedBrokerUrls(dataDir: string): string[] | undefined {
  try {
    return recordedUrls(JSON.parse(readFileSync(join(dataDir, BROKER_URLS_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

/** What the recording needs: the registry's platform values and where this process keeps them. */
interface UrlsHome {
  readonly registry: { setPlatformValue(name: string, value: string): Promise<void>; platformValue(name: string): Promise<string | undefined> };
  readonly config: { readonly DATA_DIR: string; readonly REGISTRY_URL?: string | undefined };
}

const SHARED_NAME = 'broker-urls';

/**
 * Records a started broker's URLs: in DATA_DIR, and — with the registry on PostgreSQL (REGISTRY_URL, issue 18),
 * where `ruong provision` and `ruong api` may run on other hosts — in the registry's platform values too.
 */
export async function recordBrokerUrlsFor(home: UrlsHome, urls: readonly string[], now = new Date()): Promise<void> {
  recordBrokerUrls(home.config.DATA_DIR, urls, now);
  if (home.config.REGISTRY_URL) await home.registry.setPlatformValue(SHARED_NAME, JSON.stringify({ urls, writtenAt: now.toISOString() }));
}

/** The URLs the last started broker recorded: in the shared registry with REGISTRY_URL, else in DATA_DIR. */
export async function recordedBrokerUrlsFor(home: UrlsHome): Promise<string[] | undefined> {
  if (!home.config.REGISTRY_URL) return recordedBrokerUrls(home.config.DATA_DIR);
  const value = await home.registry.platformValue(SHARED_NAME);
  if (value === undefined) return undefined;
  try {
    return recordedUrls(JSON.parse(value));
  } catch {
    return undefined;
  }
}

/**
 * A synchronous reader for the API (its device routes ask for the URLs while answering): the last value read,
 * refreshed in the background at most every `refreshMs`; `fallback` until a broker has recorded any.
 */
export async function brokerUrlsReader(home: UrlsHome, fallback: () => readonly string[], refreshMs = 10_000): Promise<() => readonly string[]> {
  const dataDir = home.config.DATA_DIR;
  if (!home.config.REGISTRY_URL) return () => recordedBrokerUrls(dataDir) ?? fallback(); // a local file: read each time
  let urls = await recordedBrokerUrlsFor(home);
  let readAt = Date.now();
  let refreshing = false;
  return () => {
    if (!refreshing && Date.now() - readAt >= refreshMs) {
      refreshing = true;
      recordedBrokerUrlsFor(home)
        .then((fresh) => { urls = fresh ?? urls; })
        .catch(() => { /* keep the last value; the next call tries again */ })
        .finally(() => { refreshing = false; readAt = Date.now(); });
    }
    return urls ?? fallback();
  };
}
