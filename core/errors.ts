// One catalogue of error codes. Boundaries (MQTT handler, HTTP middleware, cron task) map them to
// a 4xx, a dead letter or an MQTT disconnect; nothing below a boundary catches them.

export const errorCodes = {
  CONFIG_INVALID: { status: 500, text: 'configuration is invalid' },
  BAD_REQUEST: { status: 400, text: 'request is invalid' },
  UNAUTHORIZED: { status: 401, text: 'authentication required' },
  FORBIDDEN: { status: 403, text: 'not allowed' },
  NOT_FOUND: { status: 404, text: 'not found' },
  CONFLICT: { status: 409, text: 'already exists' },
  RATE_LIMITED: { status: 429, text: 'too many requests' },
  PAYLOAD_NOT_JSON: { status: 400, text: 'payload is not valid JSON' },
  PAYLOAD_INVALID: { status: 400, text: 'payload does not match the schema' },
  METRIC_UNKNOWN: { status: 400, text: 'metric is not in the catalogue' },
  VALUE_OUT_OF_BOUNDS: { status: 400, text: 'value is outside the plausibility bounds' },
  UNIT_INVALID: { status: 400, text: 'unit cannot express the metric' },
  TIMESTAMP_IN_FUTURE: { status: 400, text: 'timestamp is too far in the future' },
  TIMESTAMP_TOO_OLD: { status: 400, text: 'timestamp is older than the raw retention' },
  DEVICE_UNKNOWN: { status: 404, text: 'device is not registered' },
  DEVICE_REVOKED: { status: 403, text: 'device is revoked' },
  TOPIC_INVALID: { status: 400, text: 'topic is not a device topic' },
  STORE_UNAVAILABLE: { status: 503, text: 'reading store is unavailable' },
  INTERNAL: { status: 500, text: 'internal error' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class RuongError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? errorCodes[code].text);
    this.name = 'RuongError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }
}

export function isRuongError(err: unknown): err is RuongError {
  return err instanceof RuongError;
}
