// The coordinator's REST API v1 (docs/api.md), with the API key kept in localStorage.

const KEY_STORAGE = 'enjambre.apiKey';
const BASE = 'api/v1/';

let memoryKey = '';

/** The stored API key, or ''. */
export function apiKey() {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return memoryKey; // storage disabled (private browsing): keep it for this page only
  }
}

/** Stores (or with '' forgets) the API key. */
export function setApiKey(key) {
  memoryKey = key.trim();
  try {
    if (memoryKey) localStorage.setItem(KEY_STORAGE, memoryKey);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // memoryKey holds it
  }
}

/** A relative URL of an API path such as 'jobs/j-1/result'. */
export function apiUrl(path) {
  return BASE + path;
}

let keyOnReads = false;

/**
 * Whether reads (GET) send the key too: only on a private dashboard, so that a wrong key in the
 * field never breaks the public views. Admin actions always send it.
 */
export function setKeyOnReads(value) {
  keyOnReads = Boolean(value);
}

/** The Authorization header, when there is a key. */
export function authHeaders() {
  const key = apiKey();
  return key ? {Authorization: `Bearer ${key}`} : {};
}

/** An error answer of the API: HTTP status, error code, message and (for a bad spec) the field. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field ?? null;
    /** whether the refused request carried the API key */
    this.keySent = false;
  }

  /** True for 401 and 403: the key is missing or wrong. */
  get unauthorized() {
    return this.status === 401 || this.status === 403;
  }
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: fall back to the status line
  }
  const error = body?.error ?? {};
  const message = typeof error.message === 'string' && error.message
    ? error.message
    : `The coordinator answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, error.code ?? `HTTP_${response.status}`, message, error.field);
}

/**
 * Sends a request and returns the answer: parsed JSON by default, the Response itself with
 * {raw: true}. Throws ApiError for 4xx/5xx and for network failures (status 0).
 */
export async function request(path, {method = 'GET', body, raw = false, signal} = {}) {
  const headers = {Accept: raw ? '*/*' : 'application/json', ...(method !== 'GET' || keyOnReads ? authHeaders() : {})};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(apiUrl(path), {method, headers, body, signal, cache: 'no-store'});
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', 'The coordinator cannot be reached.', null);
  }
  if (!response.ok) {
    const error = await errorOf(response);
    error.keySent = 'Authorization' in headers;
    throw error;
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

export const getJobs = () => request('jobs').then((r) => r?.jobs ?? []);
export const getJob = (id) => request(`jobs/${encodeURIComponent(id)}`);
export const getUnits = (id, from, limit) =>
  request(`jobs/${encodeURIComponent(id)}/units?from=${from}&limit=${limit}`);
export const getWorkers = () => request('workers').then((r) => r?.workers ?? []);
export const getPeers = () => request('cluster').then((r) => r?.peers ?? []);
export const cancelJob = (id) => request(`jobs/${encodeURIComponent(id)}`, {method: 'DELETE'});
export const submitJob = (specText) => request('jobs', {method: 'POST', body: specText});
export const getResult = (id) => request(`jobs/${encodeURIComponent(id)}/result`, {raw: true});
export const getPreview = (id) => request(`jobs/${encodeURIComponent(id)}/preview.png`, {raw: true});
