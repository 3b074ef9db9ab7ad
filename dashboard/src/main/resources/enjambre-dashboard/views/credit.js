// Credit leaderboard: workers sorted by credit.

import {h, reconcile, setAttr, setText} from '../dom.js';
import * as fmt from '../format.js';
import {state} from '../store.js';

const $ = (id) => document.getElementById(id);
const credit = (w) => (Number.isFinite(Number(w.credit)) ? Number(w.credit) : 0);

/** Workers by credit, highest first (ties by name). */
export function leaderboard() {
  return Array.from(state.workers.values())
    .sort((a, b) => credit(b) - credit(a) || String(a.name ?? '').localeCompare(String(b.name ?? '')));
}

/** The credit page. */
export const creditView = {
  enter() {},
  leave() {},
  render() {
    const list = leaderboard();
    const ranks = new Map(list.map((w, i) => [w.id, i + 1]));
    const top = list.length ? Math.max(credit(list[0]), 1e-9) : 1;
    $('credit-empty').hidden = list.some((w) => credit(w) > 0) || !state.workersLoaded;
    reconcile($('credit-list'), list, (w) => w.id, (w) => h('li', {'data-worker-id': w.id, class: 'leader'},
      h('span', {class: 'rank', 'data-role': 'rank', 'aria-hidden': 'true'}),
      h('span', {class: 'leader-name', 'data-role': 'name'}),
      h('span', {class: 'leader-bar', 'aria-hidden': 'true'}, h('span', {class: 'leader-fill'})),
      h('span', {class: 'leader-credit num', 'data-role': 'credit'}),
      h('span', {class: 'leader-extra', 'data-role': 'extra'})),
    (li, w) => {
      const rank = ranks.get(w.id);
      const [rankEl, name, bar, creditEl, extra] = li.children;
      setText(rankEl, rank);
      setAttr(li, 'data-rank', rank);
      setText(name, w.name || w.id);
      bar.firstChild.style.width = `${(credit(w) / top) * 100}%`;
      setText(creditEl, `${fmt.credit(credit(w))} credit`);
      setText(extra, `${fmt.count(Number(w.valid))} valid · reputation ${fmt.ratio(Number(w.reputation))}`);
    });
  },
};
