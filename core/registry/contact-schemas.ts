// The zod schemas of contacts (core/registry/contacts.ts), for what validates input (the API, SMS replies).
// Apart from the registry module: the registry is on `ruong broker`'s start path, and zod is not (issue 19,
// docs/benchmarks.md "Broker base memory without zod").
import { z } from 'zod';
import { CONTACT_ROLES, type QuietHours as QuietHoursType } from './contacts.js';

export const ContactRole = z.enum(CONTACT_ROLES);

/** A phone number in E.164; Vietnamese national forms (0912 345 678, 84912345678) are normalised to +84…. */
export const PhoneNumber = z
  .string()
  .transform((s) => s.replace(/[\s.()-]/g, ''))
  .transform((s) => (s.startsWith('+') ? s : s.startsWith('84') && s.length >= 11 ? `+${s}` : s.startsWith('0') ? `+84${s.slice(1)}` : s))
  .pipe(z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be a phone number, e.g. +84912345678 or 0912345678'));

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
/** Local (Asia/Ho_Chi_Minh) time span in which non-critical messages wait; may span midnight. */
export const QuietHours = z.object({ start: HhMm, end: HhMm }).refine((q) => q.start !== q.end, 'start and end must differ') satisfies z.ZodType<QuietHoursType>;
