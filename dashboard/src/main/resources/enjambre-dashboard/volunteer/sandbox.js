// Runs one work unit of a WebAssembly module under Enjambre's module ABI (docs/wasm-abi.md), the way a
// JVM worker does: a fresh instance per unit, only the four enjambre.* host functions, memory capped.
// Used inside a Web Worker (runner.js), which the page terminates to bound the run time.

const ALLOWED = ['progress', 'checkpoint_due', 'checkpoint', 'restore'];
const PAGE = 65536;

/** A module refused before it runs, or an ABI breach while it runs (the unit fails with this message). */
export class SandboxError extends Error {}

function readLeb(bytes, at) {
  let value = 0;
  let scale = 1;
  let pos = at;
  for (;;) {
    if (pos >= bytes.length) throw new SandboxError('module is not valid WebAssembly: a section ends early');
    const b = bytes[pos++];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

function leb(value) {
  const out = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

const mib = pages => (pages * PAGE / (1 << 20)).toFixed(0);

/**
 * The module with every memory it defines given a maximum of at most capPages pages, so that
 * memory.grow past the cap returns -1, as on the JVM. Refuses shared or 64-bit memories and a memory
 * that starts above the cap.
 */
export function capMemory(module, capPages) {
  const bytes = module instanceof Uint8Array ? module : new Uint8Array(module);
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new SandboxError('module is not valid WebAssembly: no \\0asm header');
  }
  const parts = [bytes.subarray(0, 8)];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, bodyAt] = readLeb(bytes, pos + 1);
    const end = bodyAt + size;
    if (id !== 5) {
      parts.push(bytes.subarray(pos, end));
      pos = end;
      continue;
    }
    let [count, at] = readLeb(bytes, bodyAt);
    const body = leb(count);
    for (let i = 0; i < count; i++) {
      const flags = bytes[at++];
      if (flags & 0x02) throw new SandboxError("module's memory is shared, which is not allowed");
      if (flags & ~0x01) throw new SandboxError('module declares a memory this sandbox does not support');
      let min;
      let max = capPages;
      [min, at] = readLeb(bytes, at);
      if (flags & 0x01) {
        let declared;
        [declared, at] = readLeb(bytes, at);
        max = Math.min(declared, capPages);
      }
      if (min > capPages) {
        throw new SandboxError(`module asks for ${mib(min)} MiB of memory at start, more than the cap of ${mib(capPages)} MiB`);
      }
      body.push(0x01, ...leb(min), ...leb(max));
    }
    parts.push(Uint8Array.of(5, ...leb(body.length), ...body));
    pos = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Runs `run` of the module on input; host calls go to `host` ({progress(f), checkpointDue(), checkpoint(bytes),
 * restore() → bytes or null}). Returns the output bytes; throws SandboxError or a trap.
 */
export async function runUnit(moduleBytes, input, capBytes, host) {
  const compiled = await WebAssembly.compile(capMemory(moduleBytes, Math.floor(capBytes / PAGE)));
  for (const imp of WebAssembly.Module.imports(compiled)) {
    if (imp.module !== 'enjambre' || imp.kind !== 'function' || !ALLOWED.includes(imp.name)) {
      throw new SandboxError(`module imports ${imp.module}.${imp.name} which is not allowed (allowed: ${
        ALLOWED.map(n => 'enjambre.' + n).join(', ')})`);
    }
  }
  let memory = null;
  const view = (ptr, len, what) => {
    const size = memory.buffer.byteLength;
    if (ptr < 0 || len < 0 || ptr + len > size) {
      throw new SandboxError(`module's ${what} of ${len} bytes at address ${ptr} is outside its memory of ${size} bytes`);
    }
    return new Uint8Array(memory.buffer, ptr, len);
  };
  const imports = {enjambre: {
    progress: f => host.progress(f),
    checkpoint_due: () => (host.checkpointDue() ? 1 : 0),
    checkpoint: (ptr, len) => host.checkpoint(view(ptr >>> 0, len >>> 0, 'checkpoint').slice()),
    restore: (ptr, maxLen) => {
      const saved = host.restore();
      if (!saved) return -1;
      if (saved.length <= (maxLen >>> 0)) view(ptr >>> 0, saved.length, 'restore buffer').set(saved);
      return saved.length;
    },
  }};
  const instance = await WebAssembly.instantiate(compiled, imports);
  const {exports} = instance;
  for (const [name, kind] of [['memory', WebAssembly.Memory], ['alloc', Function], ['run', Function]]) {
    if (!(exports[name] instanceof kind)) throw new SandboxError(`module does not export '${name}'`);
  }
  memory = exports.memory;
  const inPtr = exports.alloc(input.length) >>> 0;
  view(inPtr, input.length, 'input buffer').set(input);
  const result = BigInt.asUintN(64, BigInt(exports.run(inPtr, input.length)));
  const outPtr = Number(result >> 32n);
  const outLen = Number(result & 0xffffffffn);
  const size = memory.buffer.byteLength;
  if (outPtr + outLen > size) {
    throw new SandboxError(`module's run returned an output of ${outLen} bytes at address ${outPtr}, outside its memory of ${size} bytes`);
  }
  return new Uint8Array(memory.buffer.slice(outPtr, outPtr + outLen));
}
