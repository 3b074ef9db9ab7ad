// Job results and Mandelbrot previews, fetched with the API key and shown from object URLs.
//
// Nothing is polled. A rendering job's preview (GET jobs/{id}/preview.png: finished bands drawn,
// the rest transparent) is re-fetched when a `unit` event for that job arrives, at most once a
// second per job; the result (GET jobs/{id}/result) is fetched once, when the job is COMPLETED.

import {getPreview, getResult} from './api.js';
import {changed, coalesce} from './store.js';

const PREVIEW_INTERVAL_MS = 1_000;
const RESULT_RETRY_MS = 3_000;
const FORGET_AFTER_MS = 120_000;
/** Views render at least once a second: an entry used within this time is on screen. */
const SHOWN_RECENTLY_MS = 2_500;
const MAX_TEXT_CHARS = 20_000;

/** jobId → entry */
const entries = new Map();

/** True for jobs whose result is an image (Mandelbrot renders). */
export function isImageJob(job) {
  return job?.app === 'mandelbrot' || /^image\//.test(job?.resultType ?? '');
}

function entry(id) {
  let e = entries.get(id);
  if (!e) {
    e = {
      id,
      image: false,
      used: Date.now(),
      /** object URL of the latest preview, or null */
      preview: null,
      previewAsked: false,
      /** workUnits.done of the job when the preview was last asked for */
      doneAsked: null,
      /** a unit finished while no view showed the job: refresh when one does */
      stale: false,
      /** the coordinator has no preview endpoint for this job (404): stop asking */
      previewMissing: false,
      /** {kind: 'image', url, contentType} or {kind: 'text', text, contentType, truncated} */
      result: null,
      resultLoading: false,
      resultFailedAt: -Infinity,
      resultError: null,
    };
    e.refreshPreview = coalesce(() => loadPreview(e), PREVIEW_INTERVAL_MS);
    entries.set(id, e);
  }
  e.used = Date.now();
  return e;
}

async function decoded(blob) {
  const url = URL.createObjectURL(blob);
  const img = new Image();
  img.src = url;
  try {
    await img.decode(); // swap only a ready image in: no flicker
  } catch {
    // a broken image still gets shown (as broken) rather than hidden
  }
  return url;
}

function retire(url) {
  if (url) setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function loadPreview(e) {
  if (e.result || e.previewMissing || !entries.has(e.id)) return;
  try {
    const response = await getPreview(e.id);
    if (response.status === 204) return; // nothing finished yet
    const url = await decoded(await response.blob());
    if (e.result) {
      URL.revokeObjectURL(url);
      return;
    }
    retire(e.preview);
    e.preview = url;
    changed();
  } catch (error) {
    if (error.status === 404 || error.status === 405 || error.status === 501) e.previewMissing = true;
    else if (error.status !== 409) throw error;
  }
}

async function loadResult(e) {
  e.resultLoading = true;
  try {
    const response = await getResult(e.id);
    const contentType = response.headers.get('Content-Type') ?? '';
    if (/^image\//i.test(contentType)) {
      const url = await decoded(await response.blob());
      e.result = {kind: 'image', url, contentType};
      retire(e.preview);
      e.preview = null;
    } else {
      let text = await response.text();
      if (/json/i.test(contentType)) {
        try {
          text = JSON.stringify(JSON.parse(text), null, 2);
        } catch {
          // show it as it came
        }
      }
      const truncated = text.length > MAX_TEXT_CHARS;
      e.result = {kind: 'text', text: truncated ? text.slice(0, MAX_TEXT_CHARS) : text, contentType, truncated};
    }
    e.resultError = null;
  } catch (error) {
    e.resultFailedAt = Date.now();
    e.resultError = error.message;
  } finally {
    e.resultLoading = false;
    changed();
  }
}

/**
 * What there is to show for a job, starting a load when needed: the entry's `result` once the
 * job is COMPLETED (images always, text when withText), else for image jobs the latest `preview`.
 */
export function mediaFor(job, {withText = false} = {}) {
  const e = entry(job.id);
  e.image = isImageJob(job);
  if (job.state === 'COMPLETED') {
    if (!e.result && !e.resultLoading && (e.image || withText)
        && Date.now() - e.resultFailedAt > RESULT_RETRY_MS) {
      loadResult(e);
    }
  } else if (e.image && job.state !== 'QUEUED') {
    // More units done means more bands to draw, however this job's numbers arrived (a `job` event,
    // a list fetch): the coordinator sends no `unit` event for units other peers own.
    const done = job.workUnits?.done ?? null;
    if (!e.previewAsked || e.stale || done !== e.doneAsked) {
      e.previewAsked = true;
      e.stale = false;
      e.doneAsked = done;
      e.refreshPreview();
    }
  }
  return e;
}

/** A `unit` event for jobId: refresh its preview if a view shows it now (throttled), else later. */
export function unitChanged(jobId) {
  const e = entries.get(jobId);
  if (!e || !e.image || e.result || e.previewMissing) return;
  if (Date.now() - e.used < SHOWN_RECENTLY_MS) e.refreshPreview();
  else e.stale = true;
}

/** Forgets everything (the key changed: what was refused may load now). */
export function resetMedia() {
  for (const e of entries.values()) {
    retire(e.preview);
    if (e.result?.url) retire(e.result.url);
  }
  entries.clear();
}

// Free the images of jobs no view has shown for a while.
setInterval(() => {
  const cutoff = Date.now() - FORGET_AFTER_MS;
  for (const [id, e] of entries) {
    if (e.used < cutoff) {
      retire(e.preview);
      if (e.result?.url) retire(e.result.url);
      entries.delete(id);
    }
  }
}, 30_000);
