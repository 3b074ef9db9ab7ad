// The job list: a card per job with progress, units by state, ETA, result and cancel.

import {reconcile, setText} from '../dom.js';
import {jobsNewestFirst, state} from '../store.js';
import {createJobCard, updateJobCard} from './job-card.js';

const MAX_SHOWN = 100;
const $ = (id) => document.getElementById(id);

/** The job list page. */
export const jobs = {
  init(rerender) {
    $('job-filter').addEventListener('change', rerender);
  },
  enter() {},
  leave() {},
  render() {
    const filter = $('job-filter').value;
    const all = jobsNewestFirst().filter((j) => !filter || j.state === filter);
    const shown = all.slice(0, MAX_SHOWN);
    $('jobs-empty').hidden = shown.length > 0 || !state.jobsLoaded;
    setText($('jobs-empty'), filter ? `No ${filter.toLowerCase()} jobs.` : 'No jobs yet. Submit one with the form.');
    reconcile($('job-list'), shown, (j) => j.id, (j) => createJobCard(j), (card, j) => updateJobCard(card, j));
    $('jobs-more').hidden = all.length <= MAX_SHOWN;
    setText($('jobs-more'), `Showing the newest ${MAX_SHOWN} of ${all.length} jobs.`);
  },
};
