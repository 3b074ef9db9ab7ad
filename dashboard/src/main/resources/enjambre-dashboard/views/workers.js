// Workers: platform, cores, throughput, credit, reputation, last seen, online/blacklisted.

import {h, reconcile, setAttr, setText} from '../dom.js';
import * as fmt from '../format.js';
import {state} from '../store.js';

const $ = (id) => document.getElementById(id);

/** Workers online first, then by name (stable, so rows do not jump while throughput changes). */
export function workersInOrder() {
  return Array.from(state.workers.values()).sort((a, b) =>
    Number(Boolean(b.online)) - Number(Boolean(a.online))
    || String(a.name ?? '').localeCompare(String(b.name ?? ''))
    || String(a.id).localeCompare(String(b.id)));
}

/** Whether the worker is a volunteer page in a browser tab (issue 18). */
export function isBrowser(w) {
  return w.platform === 'browser';
}

/** A browser's badge tooltip: the visit and speed its units are sized for (worker view's `visit`). */
export function browserTitle(w) {
  const v = w.visit;
  const page = 'a volunteer page open in a browser tab';
  if (!v) return page;
  return `${page}; units sized for a visit of ${fmt.duration(v.expectedSeconds)}`
    + ` (${fmt.count(v.visits)} visits seen) at ${fmt.ratio(v.expectedSpeed)}× a typical core`;
}

/** A worker's status as one word. */
export function workerStatus(w) {
  if (w.blacklisted) return 'blacklisted';
  return w.online ? 'online' : 'offline';
}

const CELLS = [
  ['Worker', 'name', ''], ['Platform', 'platform', ''], ['Cores', 'cores', 'num'],
  ['Tasks/s', 'throughput', 'num'], ['Credit', 'credit', 'num'], ['Reputation', 'reputation', 'num'],
  ['Last seen', 'last-seen', ''], ['Status', 'status', ''],
];

/** The workers page. */
export const workers = {
  enter() {},
  leave() {},
  render() {
    const list = workersInOrder();
    const now = Date.now();
    const online = list.filter((w) => w.online);
    const rate = (ws) => ws.reduce((s, w) => s + (Number(w.tasksPerSecond) || 0), 0);
    const tabs = online.filter(isBrowser);
    $('workers-empty').hidden = list.length > 0 || !state.workersLoaded;
    setText($('workers-summary'), list.length
      ? `${fmt.count(online.length)} of ${fmt.count(list.length)} workers online, `
        + `${fmt.rate(rate(online))} tasks/s in all`
        + (tabs.length ? `; ${fmt.count(tabs.length)} in browser tabs, ${fmt.rate(rate(tabs))} tasks/s.` : '.')
      : '');
    reconcile($('worker-rows'), list, (w) => w.id,
      (w) => h('tr', {'data-worker-id': w.id},
        CELLS.map(([label, name, cls]) => h('td', {'data-label': label, 'data-role': name, class: cls || null}))),
      (tr, w) => {
        setAttr(tr, 'data-online', w.online ? 'true' : 'false');
        setAttr(tr, 'data-blacklisted', w.blacklisted ? 'true' : 'false');
        const [name, platform, cores, throughput, credit, reputation, seen, status] = tr.children;
        setText(name, w.name || w.id);
        setAttr(name, 'title', w.id);
        if (platform.dataset.platform !== String(w.platform)) {
          platform.dataset.platform = String(w.platform);
          platform.replaceChildren(isBrowser(w)
            ? h('span', {class: 'badge', 'data-status': 'browser', text: 'browser'})
            : document.createTextNode(w.platform ?? '–'));
        }
        if (isBrowser(w)) setAttr(platform.firstChild, 'title', browserTitle(w));
        setText(cores, fmt.count(w.cores));
        setText(throughput, fmt.rate(Number(w.tasksPerSecond)));
        setText(credit, fmt.credit(Number(w.credit)));
        setText(reputation, fmt.ratio(Number(w.reputation)));
        setText(seen, fmt.ago(w.lastSeen, now));
        setAttr(seen, 'title', fmt.localTime(w.lastSeen) || null);
        const word = workerStatus(w);
        if (status.dataset.status !== word) {
          status.dataset.status = word;
          status.replaceChildren(h('span', {class: 'badge', 'data-status': word, text: word}));
        }
      });
  },
};
