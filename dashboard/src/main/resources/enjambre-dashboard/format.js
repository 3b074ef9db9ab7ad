// Number, duration and time formatting for people.

const number = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
const decimal1 = new Intl.NumberFormat(undefined, {minimumFractionDigits: 1, maximumFractionDigits: 1});
const decimal2 = new Intl.NumberFormat(undefined, {minimumFractionDigits: 2, maximumFractionDigits: 2});

function finite(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

/** 1234 → "1,234"; missing → "–". */
export function count(value) {
  return finite(value) ? number.format(value) : '–';
}

/** A rate such as tasks per second: one decimal. */
export function rate(value) {
  return finite(value) ? decimal1.format(value) : '–';
}

/** Credit: one decimal. */
export function credit(value) {
  return finite(value) ? decimal1.format(value) : '–';
}

/** A 0–1 fraction as "98.0 %". */
export function percent(fraction) {
  return finite(fraction) ? `${decimal1.format(fraction * 100)} %` : '–';
}

/** Reputation (0–1) with two decimals. */
export function ratio(value) {
  return finite(value) ? decimal2.format(value) : '–';
}

/** Seconds as "45 s", "3 min 20 s", "2 h 05 min", "3 d 4 h". */
export function duration(seconds) {
  if (!finite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Milliseconds since epoch of an ISO time, or NaN. */
export function parseTime(iso) {
  return typeof iso === 'string' && iso ? Date.parse(iso) : NaN;
}

/** "just now", "12 s ago", "5 min ago", ... relative to nowMs. */
export function ago(iso, nowMs = Date.now()) {
  const t = parseTime(iso);
  if (!finite(t)) return 'never';
  const seconds = Math.max(0, (nowMs - t) / 1000);
  if (seconds < 2) return 'just now';
  return `${duration(seconds)} ago`;
}

/** A local date-time for a tooltip; empty when missing. */
export function localTime(iso) {
  const t = parseTime(iso);
  return finite(t) ? new Date(t).toLocaleString() : '';
}

/** Progress as an integer 0–100 for aria-valuenow; a completed job is always 100. */
export function progressPercent(job) {
  if (job?.state === 'COMPLETED') return 100;
  const p = finite(job?.progress) ? job.progress : 0;
  return Math.max(0, Math.min(100, Math.floor(p * 100 + 1e-9)));
}
