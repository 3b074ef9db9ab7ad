// One job: its card, its result, and its work units (paged) with every replica, the worker that
// ran it, the outcome and the validation verdict; the canonical replica is marked.

import {h, reconcile, setAttr, setText} from '../dom.js';
import * as fmt from '../format.js';
import {getJob, getUnits} from '../api.js';
import {changed, coalesce, state, upsertJob, workerName} from '../store.js';
import {mediaFor} from '../media.js';
import {createJobCard, updateJobCard} from './job-card.js';

const PAGE = 50;
const $ = (id) => document.getElementById(id);

const page = {
  /** the page is showing */
  active: false,
  id: null,
  from: 0,
  units: [],
  total: null,
  /** message when the job could not be loaded */
  missing: null,
  unitsError: null,
};

async function loadUnits() {
  const id = page.id;
  if (!id || !page.active) return;
  try {
    const answer = await getUnits(id, page.from, PAGE);
    if (id !== page.id) return;
    page.units = Array.isArray(answer?.units) ? answer.units : [];
    page.total = typeof answer?.total === 'number' ? answer.total : page.units.length;
    page.unitsError = null;
  } catch (e) {
    if (id !== page.id) return;
    page.unitsError = e.message;
  }
  changed();
}

async function loadJob() {
  const id = page.id;
  if (!id) return;
  try {
    const job = await getJob(id);
    if (id !== page.id) return;
    page.missing = null;
    upsertJob(job);
  } catch (e) {
    if (id !== page.id) return;
    page.missing = e.status === 404 ? `There is no job ${id}.` : e.message;
    changed();
  }
}

/** Re-fetches the shown page of units, at most once a second. */
const refreshUnits = coalesce(loadUnits, 1000);

function replicaItem() {
  return h('li', {class: 'replica'},
    h('span', {class: 'replica-n mono', 'data-role': 'replica'}),
    h('span', {class: 'replica-worker', 'data-role': 'worker'}),
    h('span', {class: 'badge subtle', 'data-role': 'task-state'}),
    h('span', {class: 'badge', 'data-role': 'outcome'}),
    h('span', {class: 'badge', 'data-role': 'validate'}),
    h('span', {class: 'badge canonical', 'data-role': 'canonical', text: '★ canonical', hidden: true}));
}

function updateReplica(li, r, unit) {
  const canonical = unit.canonical !== null && unit.canonical !== undefined && unit.canonical === r.replica;
  setAttr(li, 'data-replica', r.replica);
  setAttr(li, 'data-canonical', canonical ? 'true' : 'false');
  setAttr(li, 'data-validate', r.validate);
  const [n, worker, taskState, outcome, validate, mark] = li.children;
  setText(n, `#${r.replica}`);
  setText(worker, r.worker ? workerName(r.worker) : 'not sent');
  setAttr(worker, 'title', r.worker ?? null);
  setAttr(worker, 'data-worker-id', r.worker ?? null);
  setText(taskState, r.state ?? '');
  setAttr(taskState, 'title', [r.sentAt && `sent ${fmt.localTime(r.sentAt)}`,
    r.deadline && `deadline ${fmt.localTime(r.deadline)}`,
    r.reportedAt && `reported ${fmt.localTime(r.reportedAt)}`].filter(Boolean).join(', ') || null);
  const showOutcome = r.outcome && r.outcome !== 'NONE';
  outcome.hidden = !showOutcome;
  setText(outcome, showOutcome ? r.outcome : '');
  setAttr(outcome, 'data-outcome', r.outcome);
  const showValidate = r.validate && !(r.validate === 'PENDING' && r.state !== 'OVER');
  validate.hidden = !showValidate;
  setText(validate, showValidate ? r.validate : '');
  setAttr(validate, 'data-validate', r.validate);
  mark.hidden = !canonical;
}

function renderUnits() {
  const units = page.units;
  $('units-empty').hidden = units.length > 0 || page.total === null;
  setText($('units-empty'), page.unitsError ?? 'No work units yet.');
  if (page.unitsError) $('units-empty').hidden = false;
  reconcile($('unit-rows'), units, (u) => u.index, (u) => h('tr', {'data-unit-index': u.index},
    h('td', {class: 'num mono', 'data-label': 'Unit', text: u.index}),
    h('td', {'data-label': 'State'}, h('span', {class: 'badge', 'data-role': 'state'}),
      h('span', {class: 'failure', 'data-role': 'failure'})),
    h('td', {'data-label': 'Replicas'}, h('ul', {class: 'replicas', 'data-role': 'replicas'}))),
  (tr, u) => {
    setAttr(tr, 'data-state', u.state);
    const badge = tr.querySelector('[data-role="state"]');
    setText(badge, u.state);
    setAttr(badge, 'data-state', u.state);
    setText(tr.querySelector('[data-role="failure"]'), u.failure ? ` ${u.failure}` : '');
    const replicas = Array.isArray(u.replicas) ? u.replicas : [];
    reconcile(tr.querySelector('[data-role="replicas"]'), replicas, (r) => r.replica, replicaItem,
      (li, r) => updateReplica(li, r, u));
  });
  const total = page.total ?? 0;
  const first = total === 0 ? 0 : page.from + 1;
  const last = Math.min(total, page.from + units.length);
  setText($('units-range'), page.total === null ? '' : `Units ${fmt.count(first)}–${fmt.count(last)} of ${fmt.count(total)}`);
  $('units-prev').disabled = page.from === 0;
  $('units-next').disabled = page.from + PAGE >= total;
}

function renderResult(job) {
  const panel = $('job-result-panel');
  const box = $('job-result');
  if (job.state !== 'COMPLETED') {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  const media = mediaFor(job, {withText: true});
  const result = media.result;
  const sig = result ? `${result.kind}:${result.url ?? result.text?.length}` : `none:${media.resultError}`;
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  if (!result) {
    box.replaceChildren(h('p', {class: media.resultError ? 'form-error' : 'hint',
      text: media.resultError ?? 'Loading the result…'}));
  } else if (result.kind === 'image') {
    box.replaceChildren(h('p', {}, h('a', {href: result.url, download: `${job.id}.png`, class: 'button-link',
      'data-role': 'download', text: `Download the image (${result.contentType})`})));
  } else {
    const blobUrl = URL.createObjectURL(new Blob([result.text], {type: result.contentType || 'text/plain'}));
    box.replaceChildren(
      h('pre', {class: 'result-text', 'data-role': 'result-text', tabindex: 0, 'aria-label': 'Result', text: result.text}),
      result.truncated ? h('p', {class: 'hint', text: 'The result is long: only its beginning is shown.'}) : null,
      h('p', {}, h('a', {href: blobUrl, download: `${job.id}.json`, class: 'button-link secondary',
        'data-role': 'download', text: 'Download'})));
  }
}

/** The job detail page. */
export const jobDetail = {
  init() {
    $('units-prev').addEventListener('click', () => {
      page.from = Math.max(0, page.from - PAGE);
      loadUnits();
    });
    $('units-next').addEventListener('click', () => {
      page.from += PAGE;
      loadUnits();
    });
  },
  enter({id}) {
    page.active = true;
    if (page.id !== id) {
      Object.assign(page, {id, from: 0, units: [], total: null, missing: null, unitsError: null});
      $('job-detail').replaceChildren();
      $('unit-rows').replaceChildren();
      delete $('job-result').dataset.sig;
    }
    loadJob();
    loadUnits();
  },
  leave() {
    page.active = false;
  },
  /** Everything shown may be stale (the stream reconnected). */
  refresh() {
    if (!page.active) return;
    loadJob();
    refreshUnits();
  },
  /** A `unit` event: show the new state at once, then re-fetch the page (throttled). */
  unitEvent(event) {
    if (!page.active || event.job !== page.id) return;
    const unit = page.units.find((u) => u.index === event.index);
    if (unit && event.state && unit.state !== event.state) {
      unit.state = event.state;
      changed();
    }
    refreshUnits();
  },
  /** A `job` event for any job. */
  jobEvent(job) {
    if (page.active && job.id === page.id) refreshUnits();
  },
  render() {
    const job = state.jobs.get(page.id);
    const missing = $('job-missing');
    missing.hidden = !(page.missing && !job);
    setText(missing, page.missing ?? '');
    setText($('h-job'), job ? (job.name || job.id) : page.id ?? 'Job');
    if (job) {
      let card = $('job-detail').firstElementChild;
      if (!card || card.dataset.jobId !== job.id) {
        card = createJobCard(job, {detail: true, tag: 'div'});
        $('job-detail').replaceChildren(card);
      }
      updateJobCard(card, job, {detail: true});
      renderResult(job);
      document.title = `${job.name || job.id} · Enjambre`;
    }
    renderUnits();
  },
};
