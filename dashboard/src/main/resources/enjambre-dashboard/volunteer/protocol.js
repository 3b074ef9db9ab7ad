// The worker protocol over fetch(), same origin only: register, fetch work, report, sync, blobs.
// Paths are relative to the coordinator's root (one level above this file), so a path prefix works.

const ROOT = new URL('../', import.meta.url);

/** An error answer of the coordinator: status, code and its one-sentence message. */
export class ProtocolError extends Error {
  constructor(status, code, message, retryAfterSeconds) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A client of one coordinator for one browser worker (its token once registered). */
export class Coordinator {
  constructor(token) {
    this.token = token ?? null;
    this.polling = null;
  }

  async call(method, path, body, signal) {
    const headers = {Accept: 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const response = await fetch(new URL(path, ROOT), {
      method, headers, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body), signal,
    });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      throw new ProtocolError(response.status, json?.error?.code ?? 'HTTP_' + response.status,
          json?.error?.message ?? `${method} ${path} answered ${response.status}`,
          Number(response.headers.get('Retry-After')) || 0);
    }
    return json;
  }

  /** The built-in apps this coordinator ships as WebAssembly: [{app, sha256}]. */
  async builtInModules() {
    return (await this.call('GET', 'api/v1/modules/builtin')).modules;
  }

  /** Registers a new browser worker; returns {workerId, token} and keeps the token. */
  async register(name, cores, memoryMb, apps) {
    const answer = await this.call('POST', 'api/v1/workers/register',
        {name, platform: 'browser', cores, memoryMb, apps});
    this.token = answer.token;
    return answer;
  }

  /** Long-polls for up to max tasks; {@link #stopPolling} ends the request (and its connection) at once. */
  async fetchWork(max, waitMs) {
    this.polling = new AbortController();
    try {
      return (await this.call('POST', 'api/v1/work/fetch', {max, waitMs}, this.polling.signal)).tasks;
    } finally {
      this.polling = null;
    }
  }

  /**
   * Ends a waiting fetch: a page going away must not leave a long-poll open on the coordinator, which would
   * hand its next tasks to a page that no longer exists.
   */
  stopPolling() {
    this.polling?.abort();
  }

  /** results: [{id, output (base64)} or {id, error}] → {accepted, rejected}. */
  async report(results) {
    return this.call('POST', 'api/v1/work/report', {results});
  }

  /** Tells the coordinator which tasks this worker holds; it reissues the others at once, with no error. */
  async sync(holding) {
    return this.call('POST', 'api/v1/work/sync', {holding});
  }

  /** The same sync as the page goes away: a keepalive request outlives the page. */
  releaseAllOnUnload() {
    if (!this.token) return;
    fetch(new URL('api/v1/work/sync', ROOT), {
      method: 'POST', keepalive: true, credentials: 'omit',
      headers: {'Content-Type': 'application/json', Authorization: `Bearer ${this.token}`},
      body: JSON.stringify({holding: []}),
    }).catch(() => {});
  }

  /** A content-addressed blob's bytes, checked against its SHA-256 where the browser can hash. */
  async blob(sha256) {
    const response = await fetch(new URL(`api/v1/blobs/${sha256}`, ROOT), {credentials: 'omit'});
    if (!response.ok) throw new ProtocolError(response.status, 'BLOB', `module ${sha256} could not be fetched (${response.status})`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (globalThis.crypto?.subtle) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      const hex = Array.from(digest, b => b.toString(16).padStart(2, '0')).join('');
      if (hex !== sha256) throw new ProtocolError(0, 'BLOB', `module ${sha256} arrived with hash ${hex}`);
    }
    return bytes;
  }

  /** This worker's public record (credit, valid results), or null when the views are private. */
  async self(workerId) {
    try {
      const answer = await this.call('GET', 'api/v1/workers');
      return answer.workers.find(w => w.id === workerId) ?? null;
    } catch {
      return null;
    }
  }
}

/** Base64 of bytes, in chunks (String.fromCharCode takes a bounded argument list). */
export function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
