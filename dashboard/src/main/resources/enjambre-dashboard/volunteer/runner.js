// A Web Worker that runs one work unit (sandbox.js) and tells the page about progress, checkpoints and
// the result. The page terminates it to stop the unit (time bound, pause, deadline).
import {runUnit, SandboxError} from './sandbox.js';

const PROGRESS_EVERY_MS = 250;

self.onmessage = async event => {
  const {module, input, checkpoint, capBytes, checkpointEveryMs} = event.data;
  let saved = checkpoint ?? null;
  let lastCheckpoint = performance.now();
  let lastProgress = 0;
  const host = {
    progress(fraction) {
      const now = performance.now();
      if (Number.isNaN(fraction) || now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      self.postMessage({type: 'progress', fraction: Math.min(1, Math.max(0, fraction))});
    },
    checkpointDue: () => performance.now() - lastCheckpoint >= checkpointEveryMs,
    checkpoint(bytes) {
      saved = bytes;
      lastCheckpoint = performance.now();
      self.postMessage({type: 'checkpoint', bytes});
    },
    restore: () => saved,
  };
  try {
    const output = await runUnit(module, input, capBytes, host);
    self.postMessage({type: 'done', output}, [output.buffer]);
  } catch (e) {
    const trap = e instanceof WebAssembly.RuntimeError || e instanceof RangeError;
    const message = e instanceof SandboxError ? e.message
        : e instanceof WebAssembly.CompileError ? `module is not valid WebAssembly: ${e.message}`
        : e instanceof WebAssembly.LinkError ? `module cannot be linked: ${e.message}`
        : trap ? `module trapped: ${e.message}` : `module failed: ${e?.message ?? e}`;
    self.postMessage({type: 'error', message});
  }
};
