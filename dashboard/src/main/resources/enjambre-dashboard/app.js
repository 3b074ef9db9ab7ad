// Enjambre dashboard: routing, loading, and the live event stream that keeps every view current.

import {apiKey, getJobs, getPeers, getWorkers, setKeyOnReads} from './api.js';
import {
  addStats, changed, coalesce, mergeJobs, mergeWorkers, setConnection, setPeers, state, subscribe,
  upsertJob, upsertWorker,
} from './store.js';
import {openLiveStream} from './live.js';
import {resetMedia, unitChanged} from './media.js';
import {initKeyField, initSubmitForm} from './admin.js';
import {setAttr, setText} from './dom.js';
import {overview} from './views/overview.js';
import {jobs} from './views/jobs.js';
import {jobDetail} from './views/job-detail.js';
import {workers} from './views/workers.js';
import {validation} from './views/validation.js';
import {creditView} from './views/credit.js';

const VIEWS = {overview, jobs, job: jobDetail, workers, validation, credit: creditView};
const TITLES = {
  overview: 'Overview', jobs: 'Jobs', job: 'Job', workers: 'Workers', validation: 'Validation', credit: 'Credit',
};
const ROUTES = [
  [/^#\/overview\/?$/, 'overview'],
  [/^#\/jobs\/?$/, 'jobs'],
  [/^#\/jobs\/([^/]+)\/?$/, 'job', (m) => ({id: decodeURIComponent(m[1])})],
  [/^#\/workers\/?$/, 'workers'],
  [/^#\/validation\/?$/, 'validation'],
  [/^#\/credit\/?$/, 'credit'],
];
const CONNECTION_TEXT = {
  connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', unauthorized: 'API key needed',
};
const $ = (id) => document.getElementById(id);

let current = null;
let live = null;

// ---- loading (each list at most once a second, however often it is asked for) ----

const PRIVATE_HINT = 'enjambre.private';

function rememberPrivate() {
  state.privateMode = true;
  setKeyOnReads(true);
  try {
    localStorage.setItem(PRIVATE_HINT, 'true'); // next time, read the stream with the key at once
  } catch {
    // not remembered
  }
}

function readFailed(error) {
  if (error.unauthorized) {
    const wasPublic = !state.privateMode;
    rememberPrivate();
    if (!error.keySent && apiKey()) {
      // A private dashboard, and we have a key we did not send: read again with it.
      if (wasPublic) live?.restart();
      refreshAll();
      return;
    }
    state.authNeeded = true;
    state.authMessage = error.message;
    changed();
  } else {
    console.warn('dashboard:', error.message);
  }
}

function readSucceeded() {
  if (state.authNeeded) {
    state.authNeeded = false;
    changed();
  }
}

async function loadJobs() {
  const startedAt = performance.now();
  try {
    mergeJobs(await getJobs(), startedAt);
    readSucceeded();
  } catch (e) {
    readFailed(e);
  }
}

async function loadWorkers() {
  const startedAt = performance.now();
  try {
    mergeWorkers(await getWorkers(), startedAt);
    readSucceeded();
  } catch (e) {
    readFailed(e);
  }
}

async function loadPeers() {
  try {
    setPeers(await getPeers());
    readSucceeded();
  } catch (e) {
    readFailed(e);
  }
}

const refreshJobs = coalesce(loadJobs, 1000);
const refreshWorkers = coalesce(loadWorkers, 1000);
const refreshPeers = coalesce(loadPeers, 1000);

/** Re-reads everything: at start, after the stream (re)connects, after the key changed. */
function refreshAll() {
  refreshJobs();
  refreshWorkers();
  refreshPeers();
  if (current?.name === 'job') jobDetail.refresh();
}

// ---- the live stream ----

function onEvent(name, data) {
  switch (name) {
    case 'job':
      upsertJob(data);
      jobDetail.jobEvent(data);
      break;
    case 'worker':
      upsertWorker(data);
      break;
    case 'stats':
      addStats(data);
      break;
    case 'unit':
      unitChanged(data.job);
      jobDetail.unitEvent(data);
      break;
    default:
      break;
  }
}

function startLive() {
  live = openLiveStream({
    onEvent,
    onOpen() {
      readSucceeded();
      refreshAll(); // the server sends a snapshot too; lists fetched now cover what was missed
    },
    onStatus: setConnection,
    onRefused(status, usedKey) {
      const firstTime = !state.privateMode;
      rememberPrivate();
      if (!usedKey && apiKey() && firstTime) {
        live.restart(); // private dashboard: read the stream with the key
        return;
      }
      state.authNeeded = true;
      state.authMessage = status === 403 ? 'The API key was refused.' : null;
      setConnection('unauthorized');
      changed();
    },
    withKey: () => state.privateMode && Boolean(apiKey()),
  });
}

function keyChanged() {
  resetMedia();
  state.actionErrors.clear();
  if (state.privateMode) live.restart();
  refreshAll();
  changed();
}

// ---- routing ----

function parseRoute(hash) {
  for (const [pattern, name, params] of ROUTES) {
    const m = pattern.exec(hash);
    if (m) return {name, params: params ? params(m) : {}};
  }
  return null;
}

function route({focus}) {
  const hash = location.hash;
  if (hash && !hash.startsWith('#/') && current) return; // an in-page anchor, not a route
  let next = parseRoute(hash);
  if (!next) {
    history.replaceState(null, '', '#/overview');
    next = {name: 'overview', params: {}};
  }
  const same = current && current.name === next.name && JSON.stringify(current.params) === JSON.stringify(next.params);
  if (!same) {
    if (current) VIEWS[current.name].leave();
    current = next;
    for (const section of document.querySelectorAll('[data-view]')) {
      section.hidden = section.dataset.view !== next.name;
    }
    for (const link of document.querySelectorAll('[data-nav]')) {
      const active = link.dataset.nav === next.name || (next.name === 'job' && link.dataset.nav === 'jobs');
      setAttr(link, 'aria-current', active ? 'page' : null);
    }
    document.title = `${TITLES[next.name]} · Enjambre`;
    VIEWS[next.name].enter(next.params);
    if (next.name === 'overview') refreshPeers();
  }
  render();
  if (focus && !same) {
    const heading = document.querySelector(`[data-view="${next.name}"] h1`);
    heading?.focus({preventScroll: true});
    window.scrollTo(0, 0);
  }
}

// ---- rendering ----

/** A server message ("the API key is wrong") as a sentence to go before another: "The API key is wrong." */
function asSentence(message) {
  const text = String(message).trim();
  if (!text) return '';
  return text[0].toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}

function renderChrome() {
  const connection = $('connection');
  const status = state.authNeeded ? 'unauthorized' : state.connection;
  setAttr(connection, 'data-state', status);
  setText(connection, CONNECTION_TEXT[status] ?? status);
  const prompt = $('auth-prompt');
  const wasHidden = prompt.hidden;
  prompt.hidden = !state.authNeeded;
  setText($('auth-prompt-text'), apiKey()
    ? `${asSentence(state.authMessage ?? 'The API key was refused.')} Check the key in the field at the top.`
    : 'Enter the API key in the field at the top to see it.');
  if (wasHidden && state.authNeeded && document.activeElement !== $('api-key')) $('api-key').focus();
}

function render() {
  renderChrome();
  if (current) VIEWS[current.name].render();
}

// ---- start ----

function start() {
  try {
    state.privateMode = localStorage.getItem(PRIVATE_HINT) === 'true';
  } catch {
    // assume public
  }
  setKeyOnReads(state.privateMode);
  for (const view of Object.values(VIEWS)) view.init?.(changed);
  initKeyField(keyChanged);
  initSubmitForm();
  document.querySelector('.skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('main').focus();
  });
  subscribe(render);
  window.addEventListener('hashchange', () => route({focus: true}));
  window.addEventListener('resize', changed);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) changed();
  });
  // Relative times ("12 s ago") and the chart's moving window, even when no event arrives.
  setInterval(() => {
    if (!document.hidden) changed();
  }, 1000);
  // Peers join and leave without an event: re-read them now and then while the overview shows.
  setInterval(() => {
    if (!document.hidden && current?.name === 'overview') refreshPeers();
  }, 15_000);
  route({focus: false});
  refreshAll();
  startLive();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
