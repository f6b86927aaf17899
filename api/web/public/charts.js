// Charts with uPlot (served from /vendor/uplot, copied from node_modules at build time — no CDN). Reference
// lines (field capacity, RAW, −15 cm, salinity limit) are constant series drawn dashed. Times are shown in
// Vietnam's time zone. Every chart is destroyed when the page changes.
import uPlot from './vendor/uplot/uPlot.esm.js';
import { el } from './dom.js';
import { getLang, t } from './i18n.js';

const active = new Set();
const tzDate = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Asia/Ho_Chi_Minh');
export const palette = ['#1b5e20', '#1565c0', '#6a1b9a', '#ef6c00', '#00838f', '#5d4037'];

function width(container) {
  return Math.max(260, Math.floor(container.getBoundingClientRect().width) - 4);
}
const height = () => (window.innerWidth < 600 ? 200 : 260);

export function destroyCharts() {
  for (const chart of active) chart.destroy();
  active.clear();
}

window.addEventListener('resize', () => {
  for (const chart of active) chart.setSize({ width: width(chart.root.parentElement), height: height() });
});

const timeFormats = new Map();
function timeFormat(options) {
  const key = `${getLang()}|${JSON.stringify(options)}`;
  if (!timeFormats.has(key)) timeFormats.set(key, new Intl.DateTimeFormat(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { ...options, timeZone: 'Asia/Ho_Chi_Minh' }));
  return timeFormats.get(key);
}

/** Day/month for ticks a day or more apart; else 24-hour times, with the date under the first tick of each day. */
function timeAxis() {
  return {
    values: (_u, splits, _axis, _space, incr) => {
      const day = timeFormat({ day: '2-digit', month: '2-digit' });
      if (incr >= 86_400) return splits.map((ts) => day.format(new Date(ts * 1000)));
      const time = timeFormat({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      let last = '';
      return splits.map((ts) => {
        const d = day.format(new Date(ts * 1000));
        const label = d === last ? time.format(new Date(ts * 1000)) : `${time.format(new Date(ts * 1000))}\n${d}`;
        last = d;
        return label;
      });
    },
  };
}

function mount(container, opts, data) {
  opts.axes[0] = { ...timeAxis(), ...opts.axes[0] };
  const chart = new uPlot({ ...opts, width: width(container), height: height(), tzDate, legend: { live: window.innerWidth >= 600 } }, data, container);
  active.add(chart);
  return chart;
}

/**
 * series: [{label, points: [[epochMs, value], …]}]; lines: [{label, value, color}]; from/to (epoch ms): the
 * span every chart of the page shares, so the x axes line up; empty: the note shown when there is no point.
 * A series with only a point or two draws its points (a lone reading is a dot, not nothing); reference lines
 * run across the whole span. Returns the number of data points drawn (0 → the note instead of a chart).
 */
export function lineChart(container, { series, lines = [], digits = 1, from, to, empty }) {
  container.replaceChildren();
  const drawn = series.reduce((n, s) => n + s.points.length, 0);
  if (drawn === 0) {
    container.append(el('p', { class: 'muted no-data' }, empty ?? t('noChartData')));
    return 0;
  }
  const bounds = from !== undefined && to !== undefined ? [Math.floor(from / 1000), Math.ceil(to / 1000)] : [];
  const xs = [...new Set([...bounds, ...series.flatMap((s) => s.points.map(([ts]) => Math.floor(ts / 1000)))])].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const data = [xs];
  const opts = {
    series: [{ label: t('time'), value: (_u, ts) => (ts == null ? '—' : timeFormat({ dateStyle: 'short', timeStyle: 'short' }).format(new Date(ts * 1000))) }],
    axes: [{}, { size: 52 }],
    scales: { x: { time: true, ...(bounds.length ? { range: () => bounds } : {}) } },
  };
  series.forEach((s, i) => {
    const ys = new Array(xs.length).fill(null);
    for (const [ts, v] of s.points) ys[index.get(Math.floor(ts / 1000))] = v;
    data.push(ys);
    const color = palette[i % palette.length];
    const few = s.points.length <= 2;
    opts.series.push({
      label: s.label, stroke: color, width: 2, spanGaps: true, value: (_u, v) => (v == null ? '—' : v.toFixed(digits)),
      ...(few ? { points: { show: true, size: 9, fill: color, stroke: color } } : {}),
    });
  });
  for (const line of lines) {
    if (line.value === null || line.value === undefined) continue;
    data.push(new Array(xs.length).fill(line.value));
    opts.series.push({ label: line.label, stroke: line.color, width: 1.5, dash: [6, 4], points: { show: false } });
  }
  mount(container, opts, data);
  return drawn;
}

/** Daily bars: days [{date: 'YYYY-MM-DD', et0Mm, rainMm}] (local dates, Asia/Ho_Chi_Minh); empty: why there are none. */
export function et0RainChart(container, days, empty) {
  container.replaceChildren();
  const shown = days.filter((d) => d.et0Mm !== null || d.rainMm !== null);
  if (shown.length === 0) {
    container.append(el('p', { class: 'muted no-data' }, empty ?? t('noChartData')));
    return 0;
  }
  const xs = days.map((d) => Date.parse(`${d.date}T12:00:00+07:00`) / 1000);
  const bars = (align) => uPlot.paths.bars({ size: [0.35, 40], align });
  const opts = {
    series: [
      { label: t('time'), value: (_u, ts) => (ts == null ? '' : timeFormat({ day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(ts * 1000))) },
      { label: t('et0'), stroke: '#ef6c00', fill: '#ef6c0099', paths: bars(-1), points: { show: false } },
      { label: t('rain'), stroke: '#1565c0', fill: '#1565c099', paths: bars(1), points: { show: false } },
    ],
    axes: [{}, { size: 44 }],
    scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.15)] } },
  };
  mount(container, opts, [xs, days.map((d) => d.et0Mm), days.map((d) => d.rainMm)]);
  return shown.length;
}
