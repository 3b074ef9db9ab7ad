// One job as a card: used for each row of the job list and at the top of the job detail page.

import {h, reconcile, role, setAttr, setText} from '../dom.js';
import * as fmt from '../format.js';
import {apiUrl} from '../api.js';
import {state} from '../store.js';
import {mediaFor} from '../media.js';
import {cancel} from '../admin.js';

const ACTIVE = new Set(['QUEUED', 'RUNNING']);

function fact(label, roleName) {
  return h('div', {class: 'fact'}, h('dt', {text: label}), h('dd', {'data-role': roleName}));
}

/** Builds an empty card; updateJobCard fills it. detail: the bigger variant of the job page. */
export function createJobCard(job, {detail = false, tag = 'li'} = {}) {
  const facts = [
    fact('Units', 'units'),
    fact('Tasks/s', 'tasks-per-second'),
    fact('ETA', 'eta'),
  ];
  if (detail) {
    facts.push(
      fact('Tasks', 'tasks'),
      fact('Redundancy', 'redundancy'),
      fact('Priority', 'priority'),
      fact('Submitted', 'submitted'),
      fact('Started', 'started'),
      fact('Finished', 'finished'));
  }
  const card = h(tag, {class: detail ? 'job-card detail' : 'job-card', 'data-job-id': job.id},
    h('div', {class: 'job-head'},
      detail ? h('span', {class: 'job-name', 'data-role': 'name'})
        : h('h3', {class: 'job-name'}, h('a', {'data-role': 'name', href: `#/jobs/${encodeURIComponent(job.id)}`})),
      h('span', {class: 'badge', 'data-role': 'state'})),
    h('p', {class: 'job-meta'},
      h('span', {'data-role': 'id', class: 'mono'}), ' · ', h('span', {'data-role': 'app'})),
    h('div', {class: 'progress-row'},
      h('div', {class: 'progress', role: 'progressbar', 'data-role': 'progress',
        'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0},
      h('div', {class: 'progress-done'}),
      h('div', {class: 'progress-failed'}),
      h('div', {class: 'progress-active'})),
      h('span', {class: 'progress-text', 'data-role': 'percent', 'aria-hidden': 'true'})),
    h('dl', {class: 'facts'}, facts),
    h('p', {class: 'failure', 'data-role': 'failure', hidden: true}),
    detail ? h('section', {class: 'blockers', 'data-role': 'blockers-panel', hidden: true},
      h('h4', {text: 'Why it is not moving'}),
      h('ul', {'data-role': 'blockers'})) : null,
    h('figure', {class: 'render', 'data-role': 'figure', hidden: true},
      h('img', {'data-role': 'image', alt: '', decoding: 'async'}),
      h('figcaption', {'data-role': 'caption'})),
    h('div', {class: 'job-actions'},
      h('a', {'data-role': 'result', class: 'button-link', hidden: true}),
      detail ? null : h('a', {'data-role': 'details', class: 'button-link secondary',
        href: `#/jobs/${encodeURIComponent(job.id)}`, text: 'Details'}),
      h('button', {type: 'button', class: 'danger', 'data-action': 'cancel', text: 'Cancel',
        onclick: (e) => cancel(job.id, e.currentTarget)})),
    h('p', {class: 'action-error', 'data-role': 'action-error', role: 'alert', hidden: true}));
  return card;
}

function unitsText(units) {
  if (!units) return null;
  const parts = [
    ['done', units.done], ['running', units.inProgress], ['waiting', units.waiting], ['queued', units.queued],
    ['failed', units.failed],
  ].filter(([, n]) => typeof n === 'number');
  return parts;
}

function widths(job) {
  const u = job.workUnits;
  if (u && u.total > 0) {
    return {done: (u.done ?? 0) / u.total, failed: (u.failed ?? 0) / u.total, active: (u.inProgress ?? 0) / u.total};
  }
  return {done: fmt.progressPercent(job) / 100, failed: 0, active: 0};
}

function renderUnits(dd, job) {
  const parts = unitsText(job.workUnits);
  const key = JSON.stringify(job.workUnits ?? null);
  if (dd.dataset.sig === key) return;
  dd.dataset.sig = key;
  if (!parts) {
    dd.replaceChildren('–');
    return;
  }
  const children = [];
  for (const [name, n] of parts) {
    if (children.length) children.push(' · ');
    children.push(h('span', {'data-unit-state': name, text: fmt.count(n)}), ` ${name}`);
  }
  children.push(' of ', h('span', {'data-unit-state': 'total', text: fmt.count(job.workUnits.total)}));
  dd.replaceChildren(...children);
}

/** The job's blockers (why units do not move: placement, credibility, judging), each reason as text. */
function renderBlockers(card, job) {
  const blockers = Array.isArray(job.blockers) ? job.blockers.filter((b) => b && typeof b.reason === 'string') : [];
  role(card, 'blockers-panel').hidden = blockers.length === 0;
  reconcile(role(card, 'blockers'), blockers, (b) => String(b.kind ?? b.reason),
    () => h('li', {class: 'blocker'}),
    (li, b) => {
      setAttr(li, 'data-blocker', b.kind ?? null);
      setText(li, b.reason);
    });
}

function resultLink(job, media) {
  const id = encodeURIComponent(job.id);
  if (!state.privateMode) return {href: apiUrl(`jobs/${id}/result`), download: null};
  // A private dashboard needs the key, which a plain link cannot send: use what was fetched.
  if (media?.result?.kind === 'image') return {href: media.result.url, download: `${job.id}.png`};
  return {href: `#/jobs/${id}`, download: null};
}

/** Fills a card from a JOB; returns nothing. */
export function updateJobCard(card, job, {detail = false} = {}) {
  const name = job.name || job.id;
  const percent = fmt.progressPercent(job);
  const jobState = String(job.state ?? 'UNKNOWN');
  setAttr(card, 'data-state', jobState);
  setAttr(card, 'data-app', job.app);

  const nameEl = role(card, 'name');
  setText(nameEl, name);
  const badge = role(card, 'state');
  setText(badge, jobState);
  setAttr(badge, 'data-state', jobState);
  setText(role(card, 'id'), job.id);
  setText(role(card, 'app'), job.app ?? '');

  const bar = role(card, 'progress');
  setAttr(bar, 'aria-valuenow', percent);
  setAttr(bar, 'aria-label', `Progress of ${name}`);
  const done = job.workUnits?.done;
  const total = job.workUnits?.total;
  setAttr(bar, 'aria-valuetext', typeof total === 'number'
    ? `${percent} %: ${fmt.count(done)} of ${fmt.count(total)} work units done` : `${percent} %`);
  const w = widths(job);
  bar.children[0].style.width = `${(jobState === 'COMPLETED' ? 1 : w.done) * 100}%`;
  bar.children[1].style.width = `${w.failed * 100}%`;
  bar.children[2].style.width = `${jobState === 'RUNNING' ? w.active * 100 : 0}%`;
  setText(role(card, 'percent'), `${percent} %`);

  renderUnits(role(card, 'units'), job);
  setText(role(card, 'tasks-per-second'), ACTIVE.has(jobState) ? fmt.rate(job.tasksPerSecond) : '–');
  const eta = role(card, 'eta');
  const etaLabel = eta.previousElementSibling;
  if (ACTIVE.has(jobState)) {
    setText(etaLabel, 'ETA');
    setText(eta, jobState === 'RUNNING' && typeof job.etaSeconds === 'number' ? fmt.duration(job.etaSeconds) : '–');
  } else {
    setText(etaLabel, 'Took');
    const took = (fmt.parseTime(job.finishedAt) - fmt.parseTime(job.startedAt || job.submittedAt)) / 1000;
    setText(eta, fmt.duration(took));
  }

  if (detail) {
    const t = job.tasks ?? {};
    setText(role(card, 'tasks'), `${fmt.count(t.issued)} issued · ${fmt.count(t.reported)} reported · `
      + `${fmt.count(t.valid)} valid · ${fmt.count(t.invalid)} invalid · ${fmt.count(t.errors)} errors`);
    const r = job.redundancy ?? {};
    setText(role(card, 'redundancy'), `${fmt.count(r.replicas)} replicas, quorum ${fmt.count(r.quorum)}, `
      + `at most ${fmt.count(r.maxErrors)} errors / ${fmt.count(r.maxResults)} results${r.adaptive ? ', adaptive' : ''}`);
    setText(role(card, 'priority'), fmt.count(job.priority));
    for (const [roleName, iso] of [['submitted', job.submittedAt], ['started', job.startedAt], ['finished', job.finishedAt]]) {
      const el = role(card, roleName);
      setText(el, iso ? fmt.localTime(iso) : '–');
      setAttr(el, 'title', iso || null);
    }
  }

  if (detail) renderBlockers(card, job);

  const failure = role(card, 'failure');
  failure.hidden = !job.failure;
  setText(failure, job.failure ? `Failed: ${job.failure}` : '');

  // Mandelbrot (and any image result): the picture, filling in band by band while it renders.
  const media = mediaFor(job, {withText: detail});
  const figure = role(card, 'figure');
  const img = role(card, 'image');
  const url = media.result?.kind === 'image' ? media.result.url : (media.image ? media.preview : null);
  figure.hidden = !url;
  if (url) {
    if (img.getAttribute('src') !== url) img.src = url;
    const final = media.result?.kind === 'image';
    setAttr(img, 'alt', final ? `Rendered image of ${name}` : `Partial render of ${name}, ${percent} % done`);
    setAttr(figure, 'data-final', final ? 'true' : 'false');
    const caption = role(card, 'caption');
    caption.hidden = final;
    setText(caption, final ? '' : jobState === 'RUNNING'
      ? `Rendering… ${percent} % (grey bands are not finished yet)`
      : `Partial render, ${percent} % (${jobState.toLowerCase()})`);
  }

  const result = role(card, 'result');
  result.hidden = jobState !== 'COMPLETED';
  if (jobState === 'COMPLETED') {
    const link = resultLink(job, media);
    setAttr(result, 'href', link.href);
    setAttr(result, 'download', link.download);
    setText(result, 'Result');
    setAttr(result, 'aria-label', `Result of ${name}`);
  }

  const button = card.querySelector('[data-action="cancel"]');
  button.hidden = !ACTIVE.has(jobState);
  setAttr(button, 'aria-label', `Cancel job ${name}`);

  const error = role(card, 'action-error');
  const message = state.actionErrors.get(job.id);
  error.hidden = !message;
  setText(error, message ?? '');
}
