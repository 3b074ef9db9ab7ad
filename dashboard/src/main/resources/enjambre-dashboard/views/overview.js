// Overview: peers, workers online, tasks/s over the last five minutes, jobs by state.

import {h, reconcile, setAttr, setText} from '../dom.js';
import * as fmt from '../format.js';
import {HISTORY_MS, jobsByState, state} from '../store.js';
import {drawRateChart} from '../chart.js';

const $ = (id) => document.getElementById(id);
const lastChart = {signature: '', at: 0};
export const JOB_STATES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];

function workersOnline() {
  if (typeof state.stats?.workersOnline === 'number') return state.stats.workersOnline;
  if (!state.workersLoaded) return null;
  let online = 0;
  for (const w of state.workers.values()) if (w.online) online++;
  return online;
}

function safeHttp(url) {
  return typeof url === 'string' && /^https?:\/\/[^\s]+$/i.test(url) ? url : null;
}

function renderPeers() {
  const peers = [...state.peers].sort((a, b) => String(a.address).localeCompare(String(b.address)));
  $('peers-empty').hidden = peers.length > 0 || !state.peersLoaded;
  reconcile($('peer-rows'), peers, (p) => p.id ?? p.address, (p) => h('tr', {'data-peer-id': p.id},
    h('td', {'data-label': 'Peer'}, h('span', {class: 'mono', 'data-role': 'id'}),
      h('span', {class: 'badge local', 'data-role': 'local', text: 'this peer', hidden: true})),
    h('td', {'data-label': 'Cluster address', class: 'mono', 'data-role': 'address'}),
    h('td', {'data-label': 'HTTP', 'data-role': 'http'}),
    h('td', {'data-label': 'Partitions', class: 'num', 'data-role': 'partitions'}),
    h('td', {'data-label': 'Units', class: 'num', 'data-role': 'units'}),
    h('td', {'data-label': 'Workers', class: 'num', 'data-role': 'workers'})),
  (tr, p) => {
    const [id, address, http, partitions, units, workers] = tr.children;
    setText(id.firstChild, p.id ?? '–');
    id.lastChild.hidden = !p.local;
    setText(address, p.address ?? '–');
    const link = safeHttp(p.http);
    if (http.dataset.url !== (link ?? '')) {
      http.dataset.url = link ?? '';
      http.replaceChildren(link ? h('a', {href: link, rel: 'noopener noreferrer', text: link}) : (p.http ?? '–'));
    }
    setText(partitions, fmt.count(p.partitions));
    setText(units, fmt.count(p.units));
    setText(workers, fmt.count(p.workers));
  });
}

function renderJobsByState() {
  const counts = jobsByState();
  const states = [...JOB_STATES, ...Object.keys(counts).filter((k) => !JOB_STATES.includes(k))];
  const total = states.reduce((sum, k) => sum + (Number(counts[k]) || 0), 0);
  reconcile($('jobs-by-state'), states, (k) => k, (k) => h('li', {'data-state': k},
    h('span', {class: 'swatch', 'data-state': k, 'aria-hidden': 'true'}),
    h('span', {class: 'legend-name', text: k.toLowerCase()}),
    h('span', {class: 'legend-count', 'data-role': 'count'})),
  (li, k) => setText(li.lastChild, fmt.count(Number(counts[k]) || 0)));
  reconcile($('jobs-by-state-bar'), states.filter((k) => Number(counts[k]) > 0), (k) => k,
    (k) => h('span', {class: 'segment', 'data-state': k}),
    (span, k) => {
      span.style.flexGrow = String(Number(counts[k]));
      setAttr(span, 'title', `${k.toLowerCase()}: ${counts[k]}`);
    });
  $('jobs-by-state-bar').hidden = total === 0;
}

/** The overview page. */
export const overview = {
  enter() {},
  leave() {},
  render() {
    setText($('stat-peers'), state.peersLoaded ? fmt.count(state.peers.length) : '–');
    setText($('stat-workers'), fmt.count(workersOnline()));
    setText($('stat-tps'), state.stats ? fmt.rate(Number(state.stats.tasksPerSecond)) : '–');
    setText($('stat-running'), fmt.count(Number(jobsByState().RUNNING ?? 0)));
    // The chart is rebuilt when a sample arrived, the width changed, or a second passed.
    const chart = $('tps-chart');
    const now = Date.now();
    const signature = `${state.samples.at(-1)?.at}:${chart.clientWidth}`;
    if (signature !== lastChart.signature || now - lastChart.at >= 1000) {
      drawRateChart(chart, state.samples, now, {windowMs: HISTORY_MS, title: 'Tasks per second over the last 5 minutes'});
      lastChart.signature = signature;
      lastChart.at = now;
    }
    renderJobsByState();
    renderPeers();
  },
};
