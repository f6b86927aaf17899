// The alert of a command the device never confirmed (issue 17), in Vietnamese and English like the other alerts:
// "Máy bơm Bơm ruộng 1 (Ruộng 1) không xác nhận lệnh bật 30 phút sau 3 lần gửi …".
import type { AlertText, AlertValues } from '../../core/alerts/alert-types.js';
import type { ControlTarget } from '../../core/commands/command-requests.js';
import type { Command } from '../../core/registry/commands.js';

export function unconfirmedAlert(c: Command, target: ControlTarget | undefined, attempts: number, retryMs: number, safetyOffId: string | undefined): { text: AlertText; values: AlertValues } {
  const name = target?.device.name ?? c.deviceId;
  const field = target?.field.name ?? c.fieldId;
  const what = c.cmd === 'pump' ? { vi: 'Máy bơm', en: 'Pump' } : { vi: 'Van lấy nước', en: 'Intake valve' };
  const order = c.action === 'on'
    ? (c.cmd === 'pump' ? { vi: `bật ${c.minutes} phút`, en: `to run ${c.minutes} min` } : { vi: `mở ${c.minutes} phút`, en: `to open ${c.minutes} min` })
    : (c.cmd === 'pump' ? { vi: 'tắt', en: 'to stop' } : { vi: 'đóng', en: 'to close' });
  const after = c.action === 'on'
    ? { vi: safetyOffId ? 'đã gửi lệnh tắt để an toàn; kiểm tra thiết bị' : 'kiểm tra thiết bị', en: safetyOffId ? 'an off command was sent to be safe; check the device' : 'check the device' }
    : { vi: 'thiết bị có thể vẫn đang chạy — kiểm tra tại ruộng', en: 'it may still be running — check it in the field' };
  const secs = Math.round((attempts * retryMs) / 1000);
  return {
    text: {
      vi: `${what.vi} ${name} (${field}) không xác nhận lệnh ${order.vi} sau ${c.attempts} lần gửi trong ${secs} giây — ${after.vi}`,
      en: `${what.en} ${name} (${field}) did not confirm the command ${order.en} after ${c.attempts} attempts in ${secs} s — ${after.en}`,
    },
    values: {
      commandId: c.id, cmd: c.cmd, action: c.action, minutes: c.minutes, attempts: c.attempts, retryS: retryMs / 1000,
      sentAt: c.sentAt, safetyOffCommandId: safetyOffId ?? null,
    },
  };
}
