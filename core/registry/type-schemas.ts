// The zod enums of core/registry/types.ts's roles and device kinds, for what validates input (the API, rule files,
// `ruong provision`). Apart from types.ts, which `ruong broker` loads while zod is kept off its start path (issue 19,
// docs/benchmarks.md "Broker base memory without zod").
import { z } from 'zod';
import { DEVICE_KINDS, ROLES } from './types.js';

export const Role = z.enum(ROLES);
export const DeviceKind = z.enum(DEVICE_KINDS);
