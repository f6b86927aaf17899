// The API client: bearer token from the login, JSON in and out, and the live event stream. The stream is
// Server-Sent Events read with fetch (EventSource cannot send an Authorization header).
/* global TextDecoderStream, AbortController, URL */
let token = sessionStorage.getItem('ruong.token');
let onUnauthorized = () => {};

/** An API answer that is not 2xx (status 0: the server could not be reached). */
export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    super(body?.error?.message || (status ? `HTTP ${status}` : 'network error'));
    this.status = status;
    this.code = body?.error?.code;
    this.issues = body?.error?.details?.issues; // a 400's zod messages, {field, message}[] (api/http-errors.ts)
    this.retryAfter = retryAfter; // seconds, from a 429's Retry-After
  }
}

export const hasToken = () => Boolean(token);
export function setToken(value) {
  token = value;
  if (value) sessionStorage.setItem('ruong.token', value); else sessionStorage.removeItem('ruong.token');
}
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}
const authHeaders = () => (token ? { authorization: `Bearer ${token}` } : {});

export async function api(path, options = {}) {
  const headers = { ...(options.body ? { 'content-type': 'application/json' } : {}), ...authHeaders() };
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { ...options, headers });
  } catch (err) {
    throw Object.assign(new ApiError(0, undefined), { cause: err });
  }
  const body = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  // Only a 401 ends the session in the page (404/403 are pages "not found" inside the app).
  if (res.status === 401 && path !== '/auth/login') onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, body, Number(res.headers.get('retry-after')) || null);
  return body;
}

/** Fetches a file with the bearer token and hands it to the browser as a download. */
export async function download(path, filename) {
  const res = await fetch(`/api/v1${path}`, { headers: authHeaders() });
  if (res.status === 401) onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => undefined));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Follows /api/v1/events, calling onEvent(name, data); reconnects after 5 s. Returns a stop function. */
export function followEvents(onEvent, onState) {
  let stopped = false;
  let controller;
  async function run() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch('/api/v1/events', { headers: authHeaders(), signal: controller.signal });
        if (res.status === 401) { onUnauthorized(); return; }
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) name = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) onEvent(name, JSON.parse(data));
          }
        }
      } catch (err) {
        if (stopped) return;
        console.warn('event stream', err);
      }
      onState(false);
      if (!stopped) await new Promise((r) => setTimeout(r, 5000));
    }
  }
  run().catch((err) => console.warn(err));
  return () => { stopped = true; controller?.abort(); };
}
