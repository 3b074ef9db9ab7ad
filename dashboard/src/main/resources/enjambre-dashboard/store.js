// The page's state: jobs, workers, peers, recent stats, connection. Changes are announced to
// listeners at most once per animation frame, however many events arrive.

/** How much tasks/s history the overview chart keeps. */
export const HISTORY_MS = 5 * 60 * 1000;

export const state = {
  /** id → JOB */
  jobs: new Map(),
  /** id → worker */
  workers: new Map(),
  /** coordinator peers from /api/v1/cluster */
  peers: [],
  peersLoaded: false,
  jobsLoaded: false,
  workersLoaded: false,
  /** [{at: client ms, tps}] for the last HISTORY_MS */
  samples: [],
  /** the latest `stats` event */
  stats: null,
  /** 'connecting' | 'live' | 'reconnecting' | 'unauthorized' */
  connection: 'connecting',
  /** a read-only view answered 401/403: the dashboard is private */
  privateMode: false,
  /** the key we have was refused (or there is none) while private */
  authNeeded: false,
  /** the server's message when it refused a read */
  authMessage: null,
  /** job id → message of the last failed admin action on it */
  actionErrors: new Map(),
};

// When each entity last changed through the event stream: a list fetched before that must not
// overwrite it with older data.
const jobSeen = new Map();
const workerSeen = new Map();

const listeners = new Set();
/** Views render at most this often, however many events arrive (a change still shows within 0.5 s). */
const MIN_RENDER_INTERVAL_MS = 200;
let scheduled = false;
let lastFlush = 0;
let frame = 0;
let fallback = 0;
let delay = 0;

function flush() {
  if (!scheduled) return;
  scheduled = false;
  cancelAnimationFrame(frame);
  clearTimeout(fallback);
  lastFlush = performance.now();
  for (const listener of listeners) {
    try {
      listener();
    } catch (e) {
      console.error('dashboard: a view failed to render', e);
    }
  }
}

function onNextFrame() {
  frame = requestAnimationFrame(flush);
  fallback = setTimeout(flush, 250); // frames pause in background tabs
}

/** Calls fn after state changes (coalesced). */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Marks the state changed. Listeners run once on a coming animation frame, at most every
 * MIN_RENDER_INTERVAL_MS, or after 250 ms when the tab is in the background and frames are paused.
 */
export function changed() {
  if (scheduled) return;
  scheduled = true;
  const wait = lastFlush + MIN_RENDER_INTERVAL_MS - performance.now();
  if (wait > 0) {
    clearTimeout(delay);
    delay = setTimeout(onNextFrame, wait);
  } else {
    onNextFrame();
  }
}

/** Stores one job from the event stream or an action's answer. */
export function upsertJob(job) {
  if (!job || typeof job.id !== 'string') return;
  const previous = state.jobs.get(job.id);
  state.jobs.set(job.id, previous ? {...previous, ...job} : job);
  jobSeen.set(job.id, performance.now());
  changed();
}

/** Replaces the job list with one fetched at startedAt (performance.now()), keeping newer events. */
export function mergeJobs(jobs, startedAt) {
  const next = new Map();
  for (const job of jobs) {
    const seen = jobSeen.get(job.id) ?? -Infinity;
    const current = state.jobs.get(job.id);
    next.set(job.id, current && seen > startedAt ? current : job);
  }
  // Jobs that arrived by event after the request started are kept even if the list missed them.
  for (const [id, job] of state.jobs) {
    if (!next.has(id) && (jobSeen.get(id) ?? -Infinity) > startedAt) next.set(id, job);
  }
  state.jobs = next;
  state.jobsLoaded = true;
  changed();
}

/** Stores one worker from the event stream. */
export function upsertWorker(worker) {
  if (!worker || typeof worker.id !== 'string') return;
  const previous = state.workers.get(worker.id);
  state.workers.set(worker.id, previous ? {...previous, ...worker} : worker);
  workerSeen.set(worker.id, performance.now());
  changed();
}

/** Replaces the worker list with one fetched at startedAt, keeping newer events. */
export function mergeWorkers(workers, startedAt) {
  const next = new Map();
  for (const worker of workers) {
    const seen = workerSeen.get(worker.id) ?? -Infinity;
    const current = state.workers.get(worker.id);
    next.set(worker.id, current && seen > startedAt ? current : worker);
  }
  for (const [id, worker] of state.workers) {
    if (!next.has(id) && (workerSeen.get(id) ?? -Infinity) > startedAt) next.set(id, worker);
  }
  state.workers = next;
  state.workersLoaded = true;
  changed();
}

/** Stores the coordinator peers. */
export function setPeers(peers) {
  state.peers = Array.isArray(peers) ? peers : [];
  state.peersLoaded = true;
  changed();
}

/** Records a `stats` event and forgets samples older than HISTORY_MS. */
export function addStats(stats, nowMs = Date.now()) {
  if (!stats || typeof stats !== 'object') return;
  state.stats = stats;
  const tps = Number(stats.tasksPerSecond);
  state.samples.push({at: nowMs, tps: Number.isFinite(tps) ? tps : 0});
  const oldest = nowMs - HISTORY_MS - 10_000;
  let drop = 0;
  while (drop < state.samples.length && state.samples[drop].at < oldest) drop++;
  if (drop) state.samples.splice(0, drop);
  changed();
}

/** Sets the connection status shown in #connection. */
export function setConnection(status) {
  if (state.connection !== status) {
    state.connection = status;
    changed();
  }
}

/** Jobs newest first (by submission time, then id). */
export function jobsNewestFirst() {
  return Array.from(state.jobs.values()).sort((a, b) => {
    const ta = Date.parse(a.submittedAt ?? '') || 0;
    const tb = Date.parse(b.submittedAt ?? '') || 0;
    return tb - ta || String(b.id).localeCompare(String(a.id));
  });
}

/** Counts of jobs by state: the server's from `stats` when known, otherwise counted here. */
export function jobsByState() {
  const fromStats = state.stats?.jobsByState;
  if (fromStats && typeof fromStats === 'object') return fromStats;
  const counts = {};
  for (const job of state.jobs.values()) counts[job.state] = (counts[job.state] ?? 0) + 1;
  return counts;
}

/** A worker's display name, falling back to its id. */
export function workerName(id) {
  const worker = state.workers.get(id);
  return worker?.name || id || '–';
}

/**
 * Wraps an async fn so that calling the wrapper often runs fn at most once per `ms`, never twice
 * at once, and always once more after the last call (trailing edge). Used for every re-fetch.
 */
export function coalesce(fn, ms) {
  let last = -Infinity;
  let inFlight = false;
  let again = false;
  let timer = 0;
  const fire = async () => {
    timer = 0;
    inFlight = true;
    again = false;
    last = Date.now();
    try {
      await fn();
    } catch (e) {
      console.warn('dashboard: refresh failed', e);
    } finally {
      inFlight = false;
      if (again) run();
    }
  };
  function run() {
    if (inFlight) {
      again = true;
      return;
    }
    if (timer) return;
    timer = setTimeout(fire, Math.max(0, last + ms - Date.now()));
  }
  return run;
}
