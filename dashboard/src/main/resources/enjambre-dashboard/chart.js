// A hand-written SVG line chart of a rate over a sliding time window.

import {s} from './dom.js';
import {rate} from './format.js';

/** Samples further apart than this are drawn as a gap (the stream was down). */
const GAP_MS = 3_500;

/** The smallest 1, 2 or 5 × 10^n that is ≥ value. */
export function niceStep(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5]) {
    if (step * magnitude >= value * (1 - 1e-12)) return step * magnitude;
  }
  return 10 * magnitude;
}

/** A y axis for values up to peak: {max, step} with at most 5 steps of a nice size. */
export function yAxis(peak) {
  const step = niceStep(Math.max(peak, 1) / 5);
  return {step, max: step * Math.max(1, Math.ceil(Math.max(peak, 1) / step - 1e-9))};
}

/** Splits samples into runs without gaps. */
export function segments(samples, gapMs = GAP_MS) {
  const runs = [];
  let run = [];
  for (const sample of samples) {
    if (run.length && sample.at - run[run.length - 1].at > gapMs) {
      runs.push(run);
      run = [];
    }
    run.push(sample);
  }
  if (run.length) runs.push(run);
  return runs;
}

/**
 * Draws samples [{at, tps}] from the last windowMs before nowMs into container, sized to its
 * width. title names the chart for assistive technology.
 */
export function drawRateChart(container, samples, nowMs, {windowMs, title, unit = 'tasks/s'}) {
  const width = Math.max(260, Math.floor(container.clientWidth || 600));
  const height = width < 480 ? 170 : 220;
  const pad = {left: 44, right: 14, top: 14, bottom: 28};
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const start = nowMs - windowMs;
  const visible = samples.filter((p) => p.at >= start - GAP_MS && p.at <= nowMs);
  const peak = visible.reduce((m, p) => Math.max(m, p.tps), 0);
  const axis = yAxis(peak);
  const yMax = axis.max;
  const x = (t) => pad.left + Math.max(0, Math.min(1, (t - start) / windowMs)) * plotW;
  const y = (v) => pad.top + plotH - (Math.max(0, v) / yMax) * plotH;
  const fmt = (n) => Number(n.toFixed(3)).toString();

  const latest = visible.length ? visible[visible.length - 1] : null;
  const summary = latest
    ? `Now ${rate(latest.tps)} ${unit}; peak ${rate(peak)} ${unit} in the last ${Math.round(windowMs / 60000)} minutes.`
    : 'No data yet: waiting for the coordinator\'s statistics.';

  const svg = s('svg', {
    class: 'chart-svg', width, height, viewBox: `0 0 ${width} ${height}`,
    role: 'img', 'aria-labelledby': 'tps-chart-title tps-chart-desc',
  },
  s('title', {id: 'tps-chart-title', text: title}),
  s('desc', {id: 'tps-chart-desc', text: summary}));

  const grid = s('g', {class: 'chart-grid'});
  const decimals = Math.max(0, -Math.floor(Math.log10(axis.step)));
  const steps = Math.round(yMax / axis.step);
  for (let i = 0; i <= steps; i++) {
    const v = i * axis.step;
    const yy = fmt(y(v));
    grid.append(
      s('line', {x1: pad.left, x2: width - pad.right, y1: yy, y2: yy}),
      s('text', {x: pad.left - 6, y: yy, 'text-anchor': 'end', 'dominant-baseline': 'middle',
        class: 'chart-label', text: v.toFixed(decimals)}));
  }
  const minutes = Math.round(windowMs / 60000);
  const short = plotW / minutes < 70;
  for (let m = minutes; m >= 0; m--) {
    const xx = fmt(x(nowMs - m * 60000));
    grid.append(
      s('line', {class: 'chart-vtick', x1: xx, x2: xx, y1: pad.top + plotH, y2: pad.top + plotH + 4}),
      s('text', {x: xx, y: height - 8, 'text-anchor': m === 0 ? 'end' : m === minutes ? 'start' : 'middle',
        class: 'chart-label', text: m === 0 ? 'now' : short ? `−${m}m` : `−${m} min`}));
  }
  svg.append(grid);

  for (const run of segments(visible)) {
    const points = run.map((p) => `${fmt(x(p.at))},${fmt(y(p.tps))}`);
    if (run.length > 1) {
      const base = fmt(y(0));
      svg.append(s('path', {
        class: 'chart-area',
        d: `M${fmt(x(run[0].at))},${base} L${points.join(' L')} L${fmt(x(run[run.length - 1].at))},${base} Z`,
      }));
    }
    svg.append(s('polyline', {class: 'chart-line', points: points.join(' ')}));
  }
  if (latest) {
    svg.append(s('circle', {class: 'chart-dot', cx: fmt(x(latest.at)), cy: fmt(y(latest.tps)), r: 3.5}));
  }
  container.replaceChildren(svg);
  return summary;
}
