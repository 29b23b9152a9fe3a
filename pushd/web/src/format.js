// Number and time formatting for people: 6.5%, 1.2k, 2h. Pure functions, no React.

const PLACEHOLDER = '—';

// True when value is a finite number (not null, NaN or a string).
function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

// A rate in [0,1] as a percentage with one decimal: 0.065 -> "6.5%".
export function formatPercent(rate) {
  if (!isNumber(rate)) return PLACEHOLDER;
  return `${(rate * 100).toFixed(1)}%`;
}

// A count shortened with k/M/B suffixes: 950 -> "950", 1234 -> "1.2k", 2500000 -> "2.5M".
export function formatCount(count) {
  if (!isNumber(count)) return PLACEHOLDER;
  const units = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  const sign = count < 0 ? '-' : '';
  const magnitude = Math.abs(count);
  for (const [size, suffix] of units) {
    if (magnitude >= size) {
      const scaled = magnitude / size;
      const text = scaled >= 100 ? Math.round(scaled).toString() : scaled.toFixed(1).replace(/\.0$/, '');
      return `${sign}${text}${suffix}`;
    }
  }
  return `${sign}${Math.round(magnitude)}`;
}

// A duration in seconds as its largest whole unit: 45 -> "45s", 720 -> "12m", 7300 -> "2h", 200000 -> "2d".
export function formatDuration(seconds) {
  if (!isNumber(seconds)) return PLACEHOLDER;
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m`;
  if (whole < 86400) return `${Math.floor(whole / 3600)}h`;
  return `${Math.floor(whole / 86400)}d`;
}

// A duration given in minutes (possibly fractional or null): 4.2 -> "4m", 0.5 -> "30s".
export function formatMinutes(minutes) {
  if (!isNumber(minutes)) return PLACEHOLDER;
  return formatDuration(minutes * 60);
}

// Seconds elapsed between an ISO timestamp and nowMs, or null when the timestamp is missing or invalid.
export function secondsSince(isoTimestamp, nowMs) {
  const then = Date.parse(isoTimestamp ?? '');
  if (Number.isNaN(then)) return null;
  return Math.max(0, (nowMs - then) / 1000);
}

// A relative change as a signed percentage: 0.12 -> "+12.0%", -0.033 -> "−3.3%".
export function formatDelta(relativeChange) {
  if (!isNumber(relativeChange)) return PLACEHOLDER;
  const percent = (relativeChange * 100).toFixed(1);
  if (Number(percent) === 0) return '±0.0%';
  return relativeChange > 0 ? `+${percent}%` : `−${percent.slice(1)}%`;
}

// One formatter for every clock text: toLocaleTimeString builds a new Intl formatter on each call, which
// costs far more than the formatting itself (the chart's axis alone formats every tick on every redraw).
let clockFormat = null;

// The local time of day of an ISO timestamp: "10:04:12".
export function formatClock(isoTimestamp) {
  const then = Date.parse(isoTimestamp ?? '');
  if (Number.isNaN(then)) return PLACEHOLDER;
  clockFormat ??= new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return clockFormat.format(then);
}

// A score in [0,1] with two decimals, for fatigue and freshness: 0.876 -> "0.88".
export function formatScore(score) {
  if (!isNumber(score)) return PLACEHOLDER;
  return score.toFixed(2);
}

let zoneFormat = null;

// The viewer's time zone as people name it: "CET", "GMT+2" or the IANA name when no short name exists.
export function zoneName(atMs = Date.now()) {
  zoneFormat ??= new Intl.DateTimeFormat([], { timeZoneName: 'short' });
  const part = zoneFormat.formatToParts(atMs).find((entry) => entry.type === 'timeZoneName');
  return part?.value ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time';
}

// A time of day with the viewer's zone named: "10:42:13 CET" (ISO text or epoch milliseconds).
export function formatClockZoned(time) {
  const ms = typeof time === 'number' ? time : Date.parse(time ?? '');
  if (!Number.isFinite(ms)) return PLACEHOLDER;
  return `${formatClock(new Date(ms).toISOString())} ${zoneName(ms)}`;
}

// Formatters for the chart's times, made once (see clockFormat).
let dayFormat = null;
let minuteFormat = null;

// The day of epoch milliseconds in the viewer's zone: "27 Nov".
function formatDay(ms) {
  dayFormat ??= new Intl.DateTimeFormat([], { day: 'numeric', month: 'short' });
  return dayFormat.format(ms);
}

// The hour and minute of epoch milliseconds in the viewer's zone: "14:05".
function formatMinute(ms) {
  minuteFormat ??= new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', hour12: false });
  return minuteFormat.format(ms);
}

// A chart axis label for a time (epoch seconds) on a range of rangeSeconds: "10:42:13" up to an hour,
// "10:42" up to a day, beyond that the day ("27 Nov"), with the time when it is not midnight.
export function formatAxisTime(seconds, rangeSeconds) {
  const ms = seconds * 1000;
  if (!Number.isFinite(ms)) return PLACEHOLDER;
  if (rangeSeconds <= 3600) return formatClock(new Date(ms).toISOString());
  if (rangeSeconds <= 86400) return formatMinute(ms);
  const midnight = new Date(ms).setHours(0, 0, 0, 0) === ms;
  return midnight ? formatDay(ms) : `${formatDay(ms)} ${formatMinute(ms)}`;
}

// The chart tooltip's time (epoch seconds) with the zone named: the time of day, and the day too on a range
// of more than a day ("27 Nov 10:42:13 CET").
export function formatTooltipTime(seconds, rangeSeconds) {
  const zoned = formatClockZoned(seconds * 1000);
  return rangeSeconds > 86400 && Number.isFinite(seconds) ? `${formatDay(seconds * 1000)} ${zoned}` : zoned;
}
