// The live event stream GET /api/v1/events (Server-Sent Events: job, worker, stats, unit).
//
// Public dashboards use EventSource, which reconnects by itself after network errors. EventSource
// cannot send an Authorization header, so a private dashboard reads the same stream with fetch()
// and the key, parsing the SSE format here. Both transports restart themselves when the stream
// closes for good (an HTTP error during a coordinator restart) or goes silent: the coordinator
// sends `stats` every second, so 15 s of silence means a dead connection.

import {apiUrl, authHeaders} from './api.js';

export const EVENT_NAMES = ['job', 'worker', 'stats', 'unit'];
const SILENCE_MS = 15_000;
const MIN_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10_000;

/**
 * Opens the stream. handlers: onEvent(name, data), onOpen(), onStatus('connecting'|'live'|
 * 'reconnecting'), onRefused(status, usedKey) when the server answers 401/403 (a key is needed, or
 * the one sent is wrong) — the stream then waits for restart(),
 * withKey() true to use the authenticated transport. Returns {restart(), close()}.
 */
export function openLiveStream({onEvent, onOpen, onStatus, onRefused, withKey}) {
  let generation = 0;
  let source = null;
  let abort = null;
  let retryMs = MIN_RETRY_MS;
  let retryTimer = 0;
  let lastActivity = Date.now();
  let live = false;
  let stopped = false;

  const watchdog = setInterval(() => {
    if (live && Date.now() - lastActivity > SILENCE_MS) {
      console.warn('dashboard: event stream silent, reconnecting');
      restart();
    }
  }, 2_000);

  function dispatch(name, text) {
    lastActivity = Date.now();
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      console.warn(`dashboard: ignored a '${name}' event whose data is not JSON`);
      return;
    }
    onEvent(name, data);
  }

  function opened(gen) {
    if (gen !== generation) return;
    live = true;
    lastActivity = Date.now();
    retryMs = MIN_RETRY_MS;
    onStatus('live');
    onOpen();
  }

  function lost(gen) {
    if (gen !== generation || stopped) return;
    live = false;
    onStatus('reconnecting');
  }

  function scheduleRestart(gen) {
    if (gen !== generation || stopped) return;
    lost(gen);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (gen === generation) start();
    }, retryMs);
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  }

  function startEventSource(gen) {
    const es = new EventSource(apiUrl('events'));
    source = es;
    es.onopen = () => opened(gen);
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (an HTTP error status, e.g. 401 or 503): ask why, then retry.
        probe(gen);
      } else {
        lost(gen); // EventSource is reconnecting by itself
      }
    };
    for (const name of EVENT_NAMES) {
      es.addEventListener(name, (e) => {
        if (gen === generation) dispatch(name, e.data);
      });
    }
  }

  async function probe(gen) {
    // EventSource hides the status of a refused connection: the same request, made by hand, tells.
    const controller = new AbortController();
    try {
      const response = await fetch(apiUrl('events'), {
        headers: {Accept: 'text/event-stream'}, signal: controller.signal, cache: 'no-store'});
      controller.abort();
      if (response.status === 401 || response.status === 403) {
        if (gen === generation) refused(response.status, false);
        return;
      }
    } catch {
      // unreachable: retry below
    }
    scheduleRestart(gen);
  }

  function refused(status, usedKey) {
    live = false;
    onRefused(status, usedKey);
  }

  async function startFetch(gen) {
    const controller = new AbortController();
    abort = controller;
    try {
      const headers = {Accept: 'text/event-stream', ...authHeaders()};
      const response = await fetch(apiUrl('events'), {headers, signal: controller.signal, cache: 'no-store'});
      if (response.status === 401 || response.status === 403) {
        if (gen === generation) refused(response.status, true);
        return;
      }
      if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
      opened(gen);
      await readSse(response.body, (name, data, retry) => {
        if (gen !== generation) return;
        if (retry !== null) retryMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, retry));
        if (name === null) lastActivity = Date.now();
        else if (EVENT_NAMES.includes(name)) dispatch(name, data);
      });
    } catch (e) {
      if (e.name === 'AbortError' && gen !== generation) return;
    }
    scheduleRestart(gen);
  }

  function stopCurrent() {
    generation++;
    live = false;
    clearTimeout(retryTimer);
    if (source) {
      source.close();
      source = null;
    }
    if (abort) {
      abort.abort();
      abort = null;
    }
  }

  function start() {
    stopCurrent();
    const gen = generation;
    if (stopped) return;
    onStatus(gen === 1 ? 'connecting' : 'reconnecting');
    if (withKey()) startFetch(gen);
    else startEventSource(gen);
  }

  function restart() {
    retryMs = MIN_RETRY_MS;
    start();
  }

  start();
  return {
    restart,
    close() {
      stopped = true;
      stopCurrent();
      clearInterval(watchdog);
    },
  };
}

/**
 * Reads a text/event-stream body and calls emit(name, data, retry) per dispatched event
 * (name defaults to 'message'); comments and lone retry fields emit (null, '', retry|null).
 */
export async function readSse(body, emit) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let name = '';
  let data = [];
  const line = (text) => {
    if (text === '') {
      if (data.length) emit(name || 'message', data.join('\n'), null);
      name = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) {
      emit(null, '', null); // a comment: keep-alive
      return;
    }
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) emit(null, '', Number(value));
  };
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += value;
    // Hold back a trailing CR: it may be the first half of a CRLF in the next chunk.
    const cut = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
    buffer = lines.pop() + buffer.slice(cut);
    for (const text of lines) line(text);
  }
}
