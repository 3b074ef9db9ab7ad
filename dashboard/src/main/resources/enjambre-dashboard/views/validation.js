// Validation: invalid results by worker (from the workers' counts) and disagreements by job.

import {h, reconcile, setAttr, setText} from '../dom.js';
import * as fmt from '../format.js';
import {jobsNewestFirst, state} from '../store.js';
import {workerStatus} from './workers.js';

const $ = (id) => document.getElementById(id);
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The validation page. */
export const validation = {
  enter() {},
  leave() {},
  render() {
    const all = Array.from(state.workers.values());
    let valid = 0;
    let invalid = 0;
    let errors = 0;
    for (const w of all) {
      valid += num(w.valid);
      invalid += num(w.invalid);
      errors += num(w.errors);
    }
    const loaded = state.workersLoaded || all.length > 0;
    setText($('val-valid'), loaded ? fmt.count(valid) : '–');
    setText($('val-invalid'), loaded ? fmt.count(invalid) : '–');
    setText($('val-errors'), loaded ? fmt.count(errors) : '–');
    setText($('val-blacklisted'), loaded ? fmt.count(all.filter((w) => w.blacklisted).length) : '–');

    const bad = all.filter((w) => num(w.invalid) > 0 || w.blacklisted)
      .sort((a, b) => num(b.invalid) - num(a.invalid) || String(a.name).localeCompare(String(b.name)));
    $('invalid-empty').hidden = bad.length > 0 || !loaded;
    reconcile($('invalid-rows'), bad, (w) => w.id, (w) => h('tr', {'data-worker-id': w.id},
      h('td', {'data-label': 'Worker', 'data-role': 'name'}),
      h('td', {'data-label': 'Invalid', class: 'num', 'data-role': 'invalid'}),
      h('td', {'data-label': 'Valid', class: 'num', 'data-role': 'valid'}),
      h('td', {'data-label': 'Errors', class: 'num', 'data-role': 'errors'}),
      h('td', {'data-label': 'Invalid share'},
        h('span', {class: 'meter', 'aria-hidden': 'true'}, h('span', {class: 'meter-fill'})),
        h('span', {'data-role': 'share'})),
      h('td', {'data-label': 'Reputation', class: 'num', 'data-role': 'reputation'}),
      h('td', {'data-label': 'Status', 'data-role': 'status'})),
    (tr, w) => {
      const judged = num(w.valid) + num(w.invalid);
      const share = judged > 0 ? num(w.invalid) / judged : 0;
      const [name, inv, val, err, shareTd, rep, status] = tr.children;
      setText(name, w.name || w.id);
      setText(inv, fmt.count(num(w.invalid)));
      setText(val, fmt.count(num(w.valid)));
      setText(err, fmt.count(num(w.errors)));
      shareTd.querySelector('.meter-fill').style.width = `${share * 100}%`;
      setText(shareTd.lastChild, judged > 0 ? fmt.percent(share) : '–');
      setText(rep, fmt.ratio(Number(w.reputation)));
      setText(status, workerStatus(w));
      setAttr(status, 'data-status', workerStatus(w));
    });

    const disagreeing = jobsNewestFirst().filter((j) => num(j.tasks?.invalid) > 0)
      .sort((a, b) => num(b.tasks.invalid) - num(a.tasks.invalid));
    $('disagree-empty').hidden = disagreeing.length > 0 || !state.jobsLoaded;
    reconcile($('disagree-rows'), disagreeing, (j) => j.id, (j) => h('tr', {'data-job-id': j.id},
      h('td', {'data-label': 'Job'}, h('a', {href: `#/jobs/${encodeURIComponent(j.id)}`})),
      h('td', {'data-label': 'Disagreements', class: 'num', 'data-role': 'invalid'}),
      h('td', {'data-label': 'Valid', class: 'num', 'data-role': 'valid'}),
      h('td', {'data-label': 'Errors', class: 'num', 'data-role': 'errors'}),
      h('td', {'data-label': 'State', 'data-role': 'state'})),
    (tr, j) => {
      const [job, inv, val, err, jobState] = tr.children;
      setText(job.firstChild, j.name || j.id);
      setText(inv, fmt.count(num(j.tasks.invalid)));
      setText(val, fmt.count(num(j.tasks.valid)));
      setText(err, fmt.count(num(j.tasks.errors)));
      setText(jobState, j.state);
    });
  },
};
