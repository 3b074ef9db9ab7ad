// The volunteer page: registers this tab as a worker (platform "browser"), fetches work units over the
// worker protocol, runs each in a Web Worker (runner.js) with WebAssembly, and reports the results.
//
// Invariants: at most `share` units run at once; nothing runs or is fetched while the tab is hidden, the
// computer runs on battery (when the browser says so), or the page is stopped (running units are stopped and resumed later from their last checkpoint); a unit past its
// deadline is dropped unreported (the coordinator has reissued it); when the page goes away, every task
// it holds is released at once (POST work/sync with nothing held), which costs the volunteer nothing.
// Held tasks and their checkpoints are also kept in IndexedDB (checkpoints.js): a volunteer who comes
// back before a task's deadline resumes it, and the coordinator still uses a late result it needs.
// Stop forgets them.

import * as saved from './checkpoints.js';
import {Coordinator, ProtocolError, fromBase64, toBase64} from './protocol.js';

const STORAGE_KEY = 'enjambre.volunteer';
const MEMORY_CAP_BYTES = 256 * 1024 * 1024;
const MAX_RUN_MS = 10 * 60 * 1000;
/** How often a unit checkpoints: ?checkpointSeconds=N in the page's address, 5 s by default, at least 1 s. */
const CHECKPOINT_EVERY_MS = 1000 * Math.max(1, Number(new URLSearchParams(location.search).get('checkpointSeconds')) || 5);
const WAIT_MS = 10000;
const CREDIT_EVERY_MS = 3000;

const $ = id => document.getElementById(id);
const ui = {
  start: $('start'), share: $('share'), shareValue: $('share-value'), shareMax: $('share-max'), status: $('status'),
  done: $('tasks-done'), running: $('running'), credit: $('credit'), valid: $('valid'), workerId: $('worker-id'),
};

const state = {
  running: false,
  hidden: document.visibilityState === 'hidden',
  onBattery: false,
  release: null,        // ends this tab's hold on the volunteer lock
  share: 1,
  modules: new Map(),   // app name -> sha256 of its built-in module
  blobs: new Map(),     // sha256 -> Promise of module bytes
  held: new Map(),      // task id -> {task, checkpoint, worker, timer}; running or waiting to run
  done: 0,
  errors: 0,
  resumed: 0,
  coordinator: new Coordinator(null),
  identity: null,
  wake: null,
  pumping: false,
};

function notify() {
  const wake = state.wake;
  state.wake = null;
  if (wake) wake();
}

function changed() {
  return new Promise(resolve => {
    state.wake = resolve;
  });
}

const delay = ms => new Promise(resolve => setTimeout(resolve, ms));

function show(status) {
  ui.status.textContent = status;
  const running = [...state.held.values()].filter(h => h.worker).length;
  ui.running.textContent = String(running);
  ui.done.textContent = String(state.done);
  document.body.dataset.state = !state.running ? 'stopped' : paused() ? 'paused' : 'computing';
  document.body.dataset.tasksDone = String(state.done);
  document.body.dataset.errors = String(state.errors);
  document.body.dataset.resumed = String(state.resumed);
  ui.start.textContent = state.running ? 'Stop' : 'Start';
  ui.start.setAttribute('aria-pressed', String(state.running));
}

function setUpShare() {
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  ui.share.max = String(cores);
  ui.shareMax.textContent = String(cores);
  const saved = Number(localStorage.getItem(STORAGE_KEY + '.share'));
  state.share = Math.min(cores, Math.max(1, saved || Math.max(1, Math.floor(cores / 2))));
  ui.share.value = String(state.share);
  ui.shareValue.textContent = String(state.share);
  ui.share.addEventListener('input', () => {
    state.share = Number(ui.share.value);
    ui.shareValue.textContent = String(state.share);
    localStorage.setItem(STORAGE_KEY + '.share', String(state.share));
    schedule();
    notify();
  });
}

/** The apps this tab can run: the coordinator's built-in modules, and any project's own module ("wasm"). */
async function loadModules() {
  state.modules.clear();
  for (const m of await state.coordinator.builtInModules()) state.modules.set(m.app, m.sha256);
  return [...state.modules.keys(), 'wasm'];
}

/** This browser's worker identity, registering (again) when there is none or its apps changed. */
async function identity(apps, force) {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    saved = null;
  }
  if (force || !saved?.token || JSON.stringify(saved.apps) !== JSON.stringify(apps)) {
    const cores = Math.max(1, navigator.hardwareConcurrency || 1);
    const name = 'browser-' + crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
    const answer = await new Coordinator(null).register(name, cores, MEMORY_CAP_BYTES >> 20, apps);
    saved = {workerId: answer.workerId, token: answer.token, apps};
    localStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
  }
  state.coordinator.token = saved.token;
  state.identity = saved;
  ui.workerId.textContent = saved.workerId;
  return saved;
}

function moduleOf(task) {
  if (task.app === 'wasm') return task.blob;
  return state.modules.get(task.app);
}

function moduleBytes(sha) {
  if (!state.blobs.has(sha)) {
    const p = state.coordinator.blob(sha);
    p.catch(() => state.blobs.delete(sha));
    state.blobs.set(sha, p);
  }
  return state.blobs.get(sha);
}

/** The bytes `run` receives: a wasm task's input starts with its module's hash and a newline. */
function runInput(task) {
  const bytes = fromBase64(task.input);
  return task.app === 'wasm' ? bytes.subarray(65) : bytes;
}

async function report(task, result) {
  try {
    const answer = await state.coordinator.report([{id: task.id, ...result}]);
    if (answer.accepted.includes(task.id) && result.output !== undefined) state.done++;
  } catch (e) {
    state.errors++;
  }
}

/** Stops a held unit's Web Worker; its task stays held (to resume from its checkpoint) unless dropped. */
function stop(entry, drop) {
  if (entry.worker) entry.worker.terminate();
  clearTimeout(entry.timer);
  entry.worker = null;
  if (drop) {
    state.held.delete(entry.task.id);
    saved.remove(entry.task.id);
  }
}

/**
 * When this tab is given a unit again (its earlier replica was released, e.g. as the tab closed) while it still
 * holds the earlier one, only the new replica's result counts: the earlier one is dropped, and its checkpoint,
 * of the same unit input, is where the new one starts. Returns that checkpoint, or null.
 */
function adoptOlderReplica(task) {
  const unitOf = id => id.slice(0, id.lastIndexOf('/'));
  let checkpoint = null;
  for (const old of [...state.held.values()]) {
    if (old.task.id !== task.id && unitOf(old.task.id) === unitOf(task.id) && old.task.input === task.input) {
      checkpoint = old.checkpoint ?? checkpoint;
      stop(old, true);
    }
  }
  return checkpoint;
}

/** Saves a held task and its checkpoint for a later visit. */
function keep(entry) {
  saved.save({id: entry.task.id, workerId: state.identity?.workerId, task: entry.task, checkpoint: entry.checkpoint});
}

function finish(entry, result) {
  stop(entry, true);
  if (result.error !== undefined) state.errors++;
  report(entry.task, result).then(() => {
    show(statusText());
    notify();
  });
  schedule();
}

async function start(entry) {
  const {task} = entry;
  const left = task.deadlineMillis - Date.now();
  if (left <= 0) {
    stop(entry, true);    // reissued by the coordinator at its deadline; a late result is not worth the CPU
    return;
  }
  const sha = moduleOf(task);
  const worker = new Worker(new URL('./runner.js', import.meta.url), {type: 'module'});
  entry.worker = worker;
  let module;
  try {
    module = await moduleBytes(sha);
  } catch (e) {
    finish(entry, {error: e.message});
    return;
  }
  if (entry.worker !== worker) return;   // paused meanwhile
  const bound = Math.min(MAX_RUN_MS, left);
  entry.timer = setTimeout(() => {
    if (bound === MAX_RUN_MS) {
      finish(entry, {error: `module ran longer than ${MAX_RUN_MS / 1000}s`});
    } else {
      stop(entry, true);
      schedule();
    }
  }, bound);
  worker.onmessage = ({data}) => {
    if (entry.worker !== worker) return;
    if (data.type === 'progress') {
      entry.progress = data.fraction;
      show(statusText());
    } else if (data.type === 'checkpoint') {
      entry.checkpoint = data.bytes;
      keep(entry);
    }
    else if (data.type === 'done') finish(entry, {output: toBase64(new Uint8Array(data.output))});
    else if (data.type === 'error') finish(entry, {error: data.message});
  };
  worker.onerror = event => {
    event.preventDefault();
    if (entry.worker === worker) finish(entry, {error: `module failed: ${event.message}`});
  };
  if (entry.checkpoint) state.resumed++;
  entry.progress = 0;
  worker.postMessage({module, input: runInput(task), checkpoint: entry.checkpoint, capBytes: MEMORY_CAP_BYTES,
    checkpointEveryMs: CHECKPOINT_EVERY_MS});
}

/** Starts held units while there is room; stops them all when paused or stopped. */
function schedule() {
  const entries = [...state.held.values()];
  if (!state.running || paused()) {
    entries.forEach(e => stop(e, !state.running));
  } else {
    let running = entries.filter(e => e.worker).length;
    for (const e of entries) {
      if (running >= state.share) break;
      if (!e.worker) {
        running++;
        start(e);
      }
    }
  }
  show(statusText());
}

/** Whether computing waits: the tab is hidden, or the computer runs on battery. */
function paused() {
  return state.hidden || state.onBattery;
}

function statusText() {
  if (!state.running) return 'Not computing.';
  if (state.hidden) return 'Paused while this tab is hidden.';
  if (state.onBattery) return 'Paused while this computer runs on battery.';
  const running = [...state.held.values()].filter(h => h.worker);
  if (running.length === 0) return 'Waiting for work.';
  const done = Math.floor(100 * running.reduce((sum, h) => sum + (h.progress ?? 0), 0) / running.length);
  return `Computing ${running.length} work unit${running.length === 1 ? '' : 's'} (${done} % done).`;
}

/** The fetch loop: keeps `share` units held while running and visible. */
async function pump() {
  let apps = await loadModules();
  const me = await identity(apps, false);
  for (const r of await saved.load(me.workerId)) {
    if (r.task.deadlineMillis <= Date.now()) saved.remove(r.id);
    else if (!state.held.has(r.id)) state.held.set(r.id, {task: r.task, checkpoint: r.checkpoint, worker: null, timer: 0});
  }
  await state.coordinator.sync([...state.held.keys()]);
  schedule();
  let backoff = 500;
  while (state.running) {
    const room = state.share - state.held.size;
    if (paused() || room <= 0) {
      await changed();
      continue;
    }
    try {
      const tasks = await state.coordinator.fetchWork(room, WAIT_MS);
      backoff = 500;
      if (!state.running) {
        if (tasks.length > 0) await state.coordinator.sync([]);   // stopped during the fetch: give them back
        break;
      }
      if (tasks.length === 0) {
        // Idle: release anything the coordinator thinks this worker holds and it does not (a task handed to
        // a fetch whose answer never arrived, say from a page that was reloaded meanwhile).
        await state.coordinator.sync([...state.held.keys()]);
      }
      for (const task of tasks) {
        const entry = {task, checkpoint: adoptOlderReplica(task), worker: null, timer: 0};
        state.held.set(task.id, entry);
        keep(entry);
      }
      schedule();
    } catch (e) {
      if (!state.running) break;   // stopped: the waiting fetch was aborted
      if (e instanceof ProtocolError && e.status === 401) {
        apps = await loadModules();
        await identity(apps, true);
        continue;
      }
      show(`The coordinator did not answer (${e.message}); trying again.`);
      await delay(e instanceof ProtocolError && e.retryAfterSeconds ? e.retryAfterSeconds * 1000 : backoff);
      backoff = Math.min(30000, backoff * 2);
    }
  }
}

async function refreshCredit() {
  if (state.identity) {
    const me = await state.coordinator.self(state.identity.workerId);
    if (me) {
      ui.credit.textContent = me.credit.toLocaleString('en-US', {maximumFractionDigits: 3});
      ui.valid.textContent = String(me.valid);
      document.body.dataset.valid = String(me.valid);
    }
  }
  setTimeout(refreshCredit, CREDIT_EVERY_MS);
}

/**
 * Holds the browser-wide volunteer lock (Web Locks) until stop: the tabs of one browser share one worker token,
 * and two of them computing at once would release each other's tasks. Resolves false when another tab holds it.
 */
function lock() {
  if (!navigator.locks) return Promise.resolve(true);
  return new Promise(resolve => {
    navigator.locks.request('enjambre-volunteer', {ifAvailable: true}, held => {
      if (!held) {
        resolve(false);
        return undefined;
      }
      resolve(true);
      return new Promise(release => {
        state.release = release;
      });
    });
  });
}

async function startComputing() {
  if (!await lock()) {
    state.running = false;
    show('This browser already volunteers in another tab; it computes there.');
    return;
  }
  if (!state.running) {      // stopped while waiting for the lock
    state.release?.();
    return;
  }
  state.pumping = true;
  show('Starting…');
  try {
    await pump();
  } catch (e) {
    state.running = false;
    schedule();
    show(`Could not start: ${e.message}`);
  } finally {
    state.pumping = false;
    if (!state.running) {
      state.release?.();
      state.release = null;
    }
  }
}

ui.start.addEventListener('click', () => {
  state.running = !state.running;
  if (state.running && !state.pumping) {
    startComputing();
  } else if (state.running) {
    schedule();
  } else {
    schedule();
    notify();
    state.coordinator.stopPolling();
    state.coordinator.sync([]).catch(() => {});
  }
});

/** Pauses while the browser says the computer runs on battery (Battery Status API, where there is one). */
async function watchBattery() {
  if (!navigator.getBattery) return;
  try {
    const battery = await navigator.getBattery();
    const update = () => {
      state.onBattery = !battery.charging;
      schedule();
      notify();
    };
    battery.addEventListener('chargingchange', update);
    update();
  } catch {
    // no battery information: never paused for it
  }
}

document.addEventListener('visibilitychange', () => {
  state.hidden = document.visibilityState === 'hidden';
  schedule();
  notify();
});

window.addEventListener('pagehide', () => {
  if (!state.running) return;
  state.coordinator.stopPolling();
  state.coordinator.releaseAllOnUnload();
});

setUpShare();
watchBattery();
show(statusText());
refreshCredit();
