// Vietnamese first, English second. Every label of the dashboard is here; data from the server is never
// translated here (alerts and advice carry their own {vi, en} text).
export const dict = {
  vi: {
    logout: 'Đăng xuất', loginTitle: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu', login: 'Đăng nhập',
    updated: 'Cập nhật', noData: 'Chưa có số liệu', badLogin: 'Sai tên đăng nhập hoặc mật khẩu', at: 'lúc', devices: 'thiết bị',
    navOverview: 'Tổng quan', navAlerts: 'Cảnh báo', navDevices: 'Thiết bị', navApi: 'API',
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
    dlTime: 'Thời gian', dlDevice: 'Thiết bị', dlCode: 'Mã', dlReason: 'Lý do', dlPayload: 'Dữ liệu',
    live: 'Trực tiếp', reconnecting: 'Đang kết nối lại…', minutesAgo: 'phút trước', hoursAgo: 'giờ trước', daysAgo: 'ngày trước', justNow: 'vừa xong',
    area: 'ha', planted: 'gieo/trồng', soil: 'đất', time: 'Thời gian', title: 'Ruộng — bảng điều khiển hợp tác xã',
    navDeadLetters: 'Bản tin bị từ chối',
    navManageDevices: 'Quản lý thiết bị', navManageRules: 'Quy tắc cảnh báo', navManageFields: 'Trại và ruộng', navManagePeople: 'Người dùng', navManageContacts: 'Người nhận cảnh báo', navMyContact: 'Liên hệ của tôi',
    deadLettersIntro: 'Bản tin thiết bị gửi lên mà hệ thống không lưu, kèm lý do — thường do sai định dạng, sai đơn vị, thiết bị chưa đăng ký hoặc đã bị thu hồi.',
    noDeadLetters: 'Không có bản tin nào bị từ chối',
    loading: 'Đang tải…', loadFailedHere: 'Chưa tải được trang này.', retry: 'Thử lại', retrying: 'Đang thử lại…', cancel: 'Huỷ',
    networkError: 'Không kết nối được máy chủ — kiểm tra mạng rồi thử lại', serverError: 'Máy chủ đang gặp lỗi, chưa tải được dữ liệu',
    notFoundTitle: 'Không tìm thấy', notFoundText: 'Trang này không có, đã bị xoá, hoặc tài khoản của bạn không được xem nó. Bạn vẫn đang đăng nhập.',
    forbiddenTitle: 'Không được phép', forbiddenText: 'Tài khoản của bạn không được xem trang này. Bạn vẫn đang đăng nhập.', backToOverview: '← Về trang tổng quan',
    sessionEnded: 'Phiên đăng nhập đã hết — đăng nhập lại để mở trang bạn vừa chọn.', tooManyAttempts: 'Đăng nhập sai quá nhiều lần từ máy này.', retryIn: 'Thử lại sau', minutes: 'phút',
    ackComment: 'Ghi chú (không bắt buộc)', ackCommentHint: 'Ví dụ: đã mở cống lúc 7 giờ', ackCommentShown: 'Ghi chú',
    noDataInRange: 'Không có số liệu trong khoảng này', lastReading: 'lần đọc cuối', noReadingsYet: 'Thiết bị chưa gửi số liệu nào',
    noEt0Data: 'Chưa có dữ liệu ET0 và mưa trong khoảng này — ET0 được tính lúc 05:30 hằng ngày cho ngày hôm trước', lastDays: 'ngày gần nhất',
    // the season's water account (water-account.js)
    waterLink: 'Sổ nước mùa vụ', waterTitle: 'Sổ nước mùa vụ', waterBackField: '← Ruộng', waterFrom: 'Từ ngày', waterTo: 'đến ngày', waterShow: 'Xem',
    waterSeasonPlanting: 'từ ngày gieo trồng', waterSeason120: '120 ngày gần nhất',
    waterIrrigations: 'Số lần tưới', waterNoArea: 'chưa có diện tích', waterPumpHours: 'Giờ bơm', waterHours: 'giờ', waterPumps: 'máy bơm', waterNoPump: 'chưa có số liệu máy bơm',
    waterRain: 'Mưa', waterDaysWithData: 'ngày có số liệu', waterEt: 'Cây trồng thoát hơi nước (ET)', waterAdvisedDone: 'Khuyến nghị tưới / đã tưới', waterAdvisedDoneSub: 'số cảnh báo tưới / số lần tưới đã ghi',
    waterFarmNote: 'Số lần, m³ và giờ bơm là tổng các ruộng; số mm là trung bình theo diện tích các ruộng.', waterFields: 'Các ruộng', waterField: 'Ruộng', waterPerDay: 'Theo ngày',
    waterDate: 'Ngày', waterColIrrigations: 'Lần tưới', waterColMm: 'Tưới (mm)', waterColM3: 'Tưới (m³)', waterColPump: 'Giờ bơm', waterColRain: 'Mưa (mm)', waterColEt0: 'ET0 (mm)', waterColEtc: 'ET cây (mm)', waterColAdvised: 'Khuyến nghị',
  },
  en: {
    logout: 'Log out', loginTitle: 'Log in', username: 'Username', password: 'Password', login: 'Log in',
    updated: 'Updated', noData: 'No readings yet', badLogin: 'Wrong username or password', at: 'at', devices: 'devices',
    navOverview: 'Overview', navAlerts: 'Alerts', navDevices: 'Devices', navApi: 'API',
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
    dlTime: 'Time', dlDevice: 'Device', dlCode: 'Code', dlReason: 'Reason', dlPayload: 'Payload',
    live: 'Live', reconnecting: 'Reconnecting…', minutesAgo: 'min ago', hoursAgo: 'h ago', daysAgo: 'days ago', justNow: 'just now',
    area: 'ha', planted: 'planted', soil: 'soil', time: 'Time', title: 'Ruộng — cooperative dashboard',
    navDeadLetters: 'Rejected messages',
    navManageDevices: 'Manage devices', navManageRules: 'Alert rules', navManageFields: 'Farms and fields', navManagePeople: 'People', navManageContacts: 'Alert contacts', navMyContact: 'My contact',
    deadLettersIntro: 'Messages devices sent that the platform did not store, with the reason — usually a wrong format or unit, or a device that is not registered or was revoked.',
    noDeadLetters: 'No rejected messages',
    loading: 'Loading…', loadFailedHere: 'This page could not be loaded yet.', retry: 'Retry', retrying: 'Retrying…', cancel: 'Cancel',
    networkError: 'Cannot reach the server — check the network and retry', serverError: 'The server had a problem; the data could not be loaded',
    notFoundTitle: 'Not found', notFoundText: 'This page does not exist, was deleted, or your account may not see it. You are still logged in.',
    forbiddenTitle: 'Not allowed', forbiddenText: 'Your account may not see this page. You are still logged in.', backToOverview: '← Back to the overview',
    sessionEnded: 'Your session has ended — log in again to open the page you asked for.', tooManyAttempts: 'Too many failed logins from this device.', retryIn: 'Retry in', minutes: 'min',
    ackComment: 'Comment (optional)', ackCommentHint: 'e.g. opened the sluice at 7:00', ackCommentShown: 'Comment',
    noDataInRange: 'No readings in this range', lastReading: 'last reading', noReadingsYet: 'The devices have sent no readings yet',
    noEt0Data: 'No ET0 or rain data in this range yet — ET0 is computed at 05:30 every day for the day before', lastDays: 'last days',
    // the season's water account (water-account.js)
    waterLink: 'Season water account', waterTitle: 'Season water account', waterBackField: '← Field', waterFrom: 'From', waterTo: 'to', waterShow: 'Show',
    waterSeasonPlanting: 'since planting', waterSeason120: 'last 120 days',
    waterIrrigations: 'Irrigations', waterNoArea: 'no area', waterPumpHours: 'Pump hours', waterHours: 'h', waterPumps: 'pumps', waterNoPump: 'no pump readings',
    waterRain: 'Rain', waterDaysWithData: 'days with data', waterEt: 'Crop evapotranspiration (ET)', waterAdvisedDone: 'Irrigations advised / done', waterAdvisedDoneSub: 'irrigate alerts / irrigations recorded',
    waterFarmNote: 'Counts, m³ and pump hours are the sum of the fields; mm are the mean of the fields weighted by area.', waterFields: 'Fields', waterField: 'Field', waterPerDay: 'Per day',
    waterDate: 'Date', waterColIrrigations: 'Irrigations', waterColMm: 'Irrigation (mm)', waterColM3: 'Irrigation (m³)', waterColPump: 'Pump h', waterColRain: 'Rain (mm)', waterColEt0: 'ET0 (mm)', waterColEtc: 'Crop ET (mm)', waterColAdvised: 'Advised',
  },
};

export const crops = {
  vi: { rice: 'lúa', coffee: 'cà phê', maize: 'ngô', tomato: 'cà chua', cabbage: 'bắp cải', sweet_pepper: 'ớt ngọt', sugarcane: 'mía', banana: 'chuối', black_pepper: 'hồ tiêu', dragon_fruit: 'thanh long' },
  en: { rice: 'rice', coffee: 'coffee', maize: 'maize', tomato: 'tomato', cabbage: 'cabbage', sweet_pepper: 'sweet pepper', sugarcane: 'sugarcane', banana: 'banana', black_pepper: 'black pepper', dragon_fruit: 'dragon fruit' },
};

// FAO/USDA textures (core/agronomy/soil.ts); Vietnamese soil-survey words: cát sand, thịt loam, limon silt, sét clay.
export const soilTextures = {
  vi: { sand: 'cát', loamy_sand: 'cát pha thịt', sandy_loam: 'thịt pha cát', loam: 'thịt trung bình', silt_loam: 'thịt pha limon', silt: 'limon', silty_clay_loam: 'thịt pha sét và limon', silty_clay: 'sét pha limon', clay: 'sét' },
  en: { sand: 'sand', loamy_sand: 'loamy sand', sandy_loam: 'sandy loam', loam: 'loam', silt_loam: 'silt loam', silt: 'silt', silty_clay_loam: 'silty clay loam', silty_clay: 'silty clay', clay: 'clay' },
};

// Why the platform rejected a device message, by error code (core/errors.ts); the server's own reason is shown under it.
export const deadLetterReasons = {
  vi: {
    PAYLOAD_NOT_JSON: 'Bản tin không phải JSON hợp lệ', PAYLOAD_INVALID: 'Bản tin sai cấu trúc', METRIC_UNKNOWN: 'Đại lượng đo không có trong danh mục',
    VALUE_OUT_OF_BOUNDS: 'Giá trị đo nằm ngoài khoảng hợp lý', UNIT_INVALID: 'Đơn vị đo không phù hợp', TIMESTAMP_IN_FUTURE: 'Thời điểm đo ở tương lai (sai đồng hồ thiết bị)',
    TIMESTAMP_TOO_OLD: 'Thời điểm đo quá cũ', DEVICE_UNKNOWN: 'Thiết bị chưa được đăng ký', DEVICE_REVOKED: 'Thiết bị đã bị thu hồi', TOPIC_INVALID: 'Sai chủ đề MQTT',
    BAD_REQUEST: 'Bản tin không hợp lệ', STORE_UNAVAILABLE: 'Kho dữ liệu tạm thời không dùng được', INTERNAL: 'Lỗi hệ thống',
  },
  en: {
    PAYLOAD_NOT_JSON: 'The message is not valid JSON', PAYLOAD_INVALID: 'The message has the wrong structure', METRIC_UNKNOWN: 'The measured quantity is not in the catalogue',
    VALUE_OUT_OF_BOUNDS: 'The value is outside the plausible range', UNIT_INVALID: 'The unit does not fit the quantity', TIMESTAMP_IN_FUTURE: 'The time is in the future (device clock wrong)',
    TIMESTAMP_TOO_OLD: 'The time is too old', DEVICE_UNKNOWN: 'The device is not registered', DEVICE_REVOKED: 'The device was revoked', TOPIC_INVALID: 'Wrong MQTT topic',
    BAD_REQUEST: 'The message is invalid', STORE_UNAVAILABLE: 'The reading store was unavailable', INTERNAL: 'Internal error',
  },
};

let lang = localStorage.getItem('ruong.lang') === 'en' ? 'en' : 'vi';

export const getLang = () => lang;
export function setLang(next) {
  lang = next === 'en' ? 'en' : 'vi';
  localStorage.setItem('ruong.lang', lang);
}
export const t = (key) => dict[lang][key] ?? key;
export const cropName = (crop) => crops[lang][crop] ?? crop;
/** A soil texture as stored (free text such as "silty clay" or "silty_clay") in the chosen language. */
export function soilTextureName(text) {
  const key = String(text).trim().toLowerCase().replace(/[\s-]+/g, '_');
  return soilTextures[lang][key] ?? String(text).replace(/_/g, ' ');
}
export const deadLetterReason = (code) => deadLetterReasons[lang][code] ?? code;
const locale = () => (lang === 'vi' ? 'vi-VN' : 'en-GB');

/** Times are shown in Vietnam's time zone wherever the browser is. */
export function formatTime(iso) {
  return new Date(iso).toLocaleString(locale(), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Asia/Ho_Chi_Minh' });
}
/** A calendar date 'YYYY-MM-DD' (planting date) written out in the chosen language: 1 tháng 11, 2026 / 1 November 2026. */
export function formatDate(date) {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? String(date) : new Date(ms).toLocaleDateString(locale(), { dateStyle: 'long', timeZone: 'UTC' });
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
