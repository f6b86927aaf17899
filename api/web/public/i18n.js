// Vietnamese first, English second. Every label of the dashboard is here; data from the server is never
// translated here (alerts and advice carry their own {vi, en} text).
export const dict = {
  vi: {
    logout: 'Đăng xuất', loginTitle: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu', login: 'Đăng nhập',
    updated: 'Cập nhật', noData: 'Chưa có số liệu', badLogin: 'Sai tên đăng nhập hoặc mật khẩu', at: 'lúc', devices: 'thiết bị',
    navOverview: 'Tổng quan', navAlerts: 'Cảnh báo', navDevices: 'Thiết bị', navDeadLetters: 'Thư lỗi', navApi: 'API',
    status_ok: 'Ổn định', status_irrigate: 'Cần tưới', status_alert: 'Cảnh báo', status_offline: 'Mất kết nối',
    advice: 'Khuyến nghị hôm nay', noAdvice: 'Chưa có khuyến nghị', back: '← Tổng quan',
    range24h: '24 giờ', range7d: '7 ngày', range30d: '30 ngày', csv: 'Tải CSV',
    chartSoil: 'Độ ẩm đất (%)', chartAwd: 'Mực nước ruộng — ống AWD (cm)', chartSalinity: 'Độ mặn nước kênh (EC, dS/m)', chartEt0: 'ET0 và mưa (mm/ngày)',
    fieldCapacity: 'Sức chứa ẩm đồng ruộng (θFC)', rawLine: 'Ngưỡng tưới (RAW)', wiltingPoint: 'Điểm héo (θWP)', awdLine: 'Ngưỡng AWD −15 cm', surface: 'Mặt ruộng',
    salinityLimit: 'Giới hạn cho cây trồng', et0: 'ET0 (Hargreaves, ước tính)', rain: 'Mưa', noChartData: 'Chưa có số liệu trong khoảng này',
    alertsOpen: 'Chưa xử lý', alertsAck: 'Đã xác nhận', alertsResolved: 'Đã xử lý', ack: 'Xác nhận', resolve: 'Đã xử lý xong',
    alertStatus_open: 'Đang mở', alertStatus_acknowledged: 'Đã xác nhận', alertStatus_resolved: 'Đã xử lý',
    severity_info: 'Thông tin', severity_warning: 'Cảnh báo', severity_critical: 'Khẩn cấp',
    noAlerts: 'Không có cảnh báo', alertsUnavailable: 'Máy chủ chưa có dịch vụ cảnh báo', opened: 'Mở lúc',
    devName: 'Thiết bị', devField: 'Ruộng', devLastSeen: 'Lần cuối', devBattery: 'Pin', devSignal: 'Tín hiệu', online: 'Trực tuyến', offline: 'Mất kết nối', revoked: 'Đã thu hồi', never: 'chưa bao giờ',
    dlTime: 'Thời gian', dlDevice: 'Thiết bị', dlCode: 'Mã', dlReason: 'Lý do', dlPayload: 'Dữ liệu', noDeadLetters: 'Không có thư lỗi',
    live: 'Trực tiếp', reconnecting: 'Đang kết nối lại…', minutesAgo: 'phút trước', hoursAgo: 'giờ trước', daysAgo: 'ngày trước', justNow: 'vừa xong',
    area: 'ha', planted: 'gieo/trồng', soil: 'đất', time: 'Thời gian', title: 'Ruộng — bảng điều khiển hợp tác xã',
  },
  en: {
    logout: 'Log out', loginTitle: 'Log in', username: 'Username', password: 'Password', login: 'Log in',
    updated: 'Updated', noData: 'No readings yet', badLogin: 'Wrong username or password', at: 'at', devices: 'devices',
    navOverview: 'Overview', navAlerts: 'Alerts', navDevices: 'Devices', navDeadLetters: 'Dead letters', navApi: 'API',
    status_ok: 'OK', status_irrigate: 'Irrigate', status_alert: 'Alert', status_offline: 'Offline',
    advice: "Today's advice", noAdvice: 'No advice yet', back: '← Overview',
    range24h: '24 h', range7d: '7 days', range30d: '30 days', csv: 'Download CSV',
    chartSoil: 'Soil moisture (%)', chartAwd: 'Field water level — AWD tube (cm)', chartSalinity: 'Canal water salinity (EC, dS/m)', chartEt0: 'ET0 and rain (mm/day)',
    fieldCapacity: 'Field capacity (θFC)', rawLine: 'Irrigate line (RAW)', wiltingPoint: 'Wilting point (θWP)', awdLine: 'AWD threshold −15 cm', surface: 'Soil surface',
    salinityLimit: 'Crop limit', et0: 'ET0 (Hargreaves, estimate)', rain: 'Rain', noChartData: 'No readings in this range',
    alertsOpen: 'Unresolved', alertsAck: 'Acknowledged', alertsResolved: 'Resolved', ack: 'Acknowledge', resolve: 'Resolve',
    alertStatus_open: 'Open', alertStatus_acknowledged: 'Acknowledged', alertStatus_resolved: 'Resolved',
    severity_info: 'Info', severity_warning: 'Warning', severity_critical: 'Critical',
    noAlerts: 'No alerts', alertsUnavailable: 'This server has no alerts service yet', opened: 'Opened',
    devName: 'Device', devField: 'Field', devLastSeen: 'Last seen', devBattery: 'Battery', devSignal: 'Signal', online: 'Online', offline: 'Offline', revoked: 'Revoked', never: 'never',
    dlTime: 'Time', dlDevice: 'Device', dlCode: 'Code', dlReason: 'Reason', dlPayload: 'Payload', noDeadLetters: 'No dead letters',
    live: 'Live', reconnecting: 'Reconnecting…', minutesAgo: 'min ago', hoursAgo: 'h ago', daysAgo: 'days ago', justNow: 'just now',
    area: 'ha', planted: 'planted', soil: 'soil', time: 'Time', title: 'Ruộng — cooperative dashboard',
  },
};

export const crops = {
  vi: { rice: 'lúa', coffee: 'cà phê', maize: 'ngô', tomato: 'cà chua', cabbage: 'bắp cải', sweet_pepper: 'ớt ngọt', sugarcane: 'mía', banana: 'chuối', black_pepper: 'hồ tiêu', dragon_fruit: 'thanh long' },
  en: { rice: 'rice', coffee: 'coffee', maize: 'maize', tomato: 'tomato', cabbage: 'cabbage', sweet_pepper: 'sweet pepper', sugarcane: 'sugarcane', banana: 'banana', black_pepper: 'black pepper', dragon_fruit: 'dragon fruit' },
};

let lang = localStorage.getItem('ruong.lang') === 'en' ? 'en' : 'vi';

export const getLang = () => lang;
export function setLang(next) {
  lang = next === 'en' ? 'en' : 'vi';
  localStorage.setItem('ruong.lang', lang);
}
export const t = (key) => dict[lang][key] ?? key;
export const cropName = (crop) => crops[lang][crop] ?? crop;
const locale = () => (lang === 'vi' ? 'vi-VN' : 'en-GB');

/** Times are shown in Vietnam's time zone wherever the browser is. */
export function formatTime(iso) {
  return new Date(iso).toLocaleString(locale(), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Asia/Ho_Chi_Minh' });
}
export function formatNumber(value, digits = 1) {
  return Number(value).toLocaleString(locale(), { maximumFractionDigits: digits });
}
export function ago(iso, now = Date.now()) {
  if (!iso) return t('never');
  const minutes = Math.round((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return t('justNow');
  if (minutes < 90) return `${minutes} ${t('minutesAgo')}`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} ${t('hoursAgo')}`;
  return `${Math.round(minutes / 1440)} ${t('daysAgo')}`;
}

/** Applies the language to every element with data-i18n. */
export function applyLanguage(root = document) {
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
}
