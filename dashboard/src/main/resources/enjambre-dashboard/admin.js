// Admin actions: the API key field, cancelling a job, submitting a job spec.

import {ApiError, apiKey, cancelJob, getJob, setApiKey, submitJob} from './api.js';
import {changed, state, upsertJob} from './store.js';
import {h} from './dom.js';

/** Example job specs offered by the form (DESIGN.md's built-in apps). */
export const EXAMPLES = {
  primes: {
    name: 'primes below ten million', app: 'primes', input: {from: 2, to: 10000000}, workUnits: 100,
    redundancy: {replicas: 2, quorum: 2, maxErrors: 3, maxResults: 6}, deadlineSeconds: 600,
  },
  collatz: {
    name: 'collatz up to one million', app: 'collatz', input: {from: 1, to: 1000000}, workUnits: 50,
  },
  mandelbrot: {
    name: 'mandelbrot 800×600', app: 'mandelbrot',
    input: {width: 800, height: 600, xMin: -2.5, xMax: 1.0, yMin: -1.25, yMax: 1.25, maxIterations: 500},
    workUnits: 30,
  },
  noop: {
    name: 'noop benchmark', app: 'noop', input: {payload: 'hello'}, workUnits: 1000,
    redundancy: {replicas: 1, quorum: 1},
  },
};

let onKeyChanged = () => {};

/** Wires the key field: fills it from storage and stores what is typed. */
export function initKeyField(keyChanged) {
  onKeyChanged = keyChanged;
  const input = document.getElementById('api-key');
  const form = document.getElementById('key-form');
  input.value = apiKey();
  let timer = 0;
  const store = (immediately) => {
    const before = apiKey();
    setApiKey(input.value);
    clearTimeout(timer);
    if (apiKey() === before) return;
    // Typing stores at once; reconnecting waits for a pause so each keystroke does not reconnect.
    timer = setTimeout(() => onKeyChanged(), immediately ? 0 : 600);
  };
  input.addEventListener('input', () => store(false));
  input.addEventListener('change', () => store(true));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    store(true);
    onKeyChanged();
  });
  document.getElementById('forget-key').addEventListener('click', () => {
    input.value = '';
    store(true);
    input.focus();
  });
}

/** Cancels a job; a refusal (401/403 or any other) is shown on the job's card. */
export async function cancel(jobId, button) {
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    const job = await cancelJob(jobId);
    state.actionErrors.delete(jobId);
    if (job && job.id) upsertJob(job);
    else changed();
  } catch (e) {
    state.actionErrors.set(jobId, e.message);
    changed();
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

/** Where in the JSON text a field path such as "redundancy.quorum" is named: [start, end] or null. */
export function locateField(text, field) {
  if (!field || field === '$') return null;
  let from = 0;
  let found = null;
  for (const segment of field.split('.')) {
    const key = segment.replace(/\[\d+\]$/, '');
    const match = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`).exec(text.slice(from));
    if (!match) return found;
    found = [from + match.index, from + match.index + key.length + 2];
    from = found[1];
  }
  return found;
}

function showError(form, textarea, message, field) {
  const box = document.getElementById('submit-error');
  const children = [h('p', {'data-role': 'error-message', text: message})];
  if (field) {
    children.push(h('p', {class: 'error-field'}, 'Field: ',
      h('code', {'data-role': 'error-field', text: field === '$' ? 'the whole spec' : field})));
  }
  box.replaceChildren(...children);
  box.hidden = false;
  box.toggleAttribute('data-field', Boolean(field));
  if (field) box.setAttribute('data-field', field);
  textarea.setAttribute('aria-invalid', 'true');
  const range = locateField(textarea.value, field);
  if (range) {
    textarea.focus();
    textarea.setSelectionRange(range[0], range[1]);
  }
}

function clearError(textarea) {
  const box = document.getElementById('submit-error');
  box.hidden = true;
  box.replaceChildren();
  box.removeAttribute('data-field');
  textarea.removeAttribute('aria-invalid');
}

/** Wires the submit form and the examples menu. */
export function initSubmitForm() {
  const form = document.getElementById('submit-form');
  const textarea = document.getElementById('job-spec');
  const button = document.getElementById('submit-job');
  const status = document.getElementById('submit-status');
  const examples = document.getElementById('spec-example');
  if (!textarea.value.trim()) textarea.value = JSON.stringify(EXAMPLES.primes, null, 2);

  examples.addEventListener('change', () => {
    const example = EXAMPLES[examples.value];
    if (example) {
      textarea.value = JSON.stringify(example, null, 2);
      clearError(textarea);
    }
  });
  textarea.addEventListener('input', () => {
    if (textarea.hasAttribute('aria-invalid')) textarea.removeAttribute('aria-invalid');
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.textContent = '';
    clearError(textarea);
    const text = textarea.value;
    try {
      JSON.parse(text);
    } catch (parseError) {
      showError(form, textarea, `The job spec is not valid JSON: ${parseError.message}`, '$');
      return;
    }
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const answer = await submitJob(text);
      status.replaceChildren('Submitted ',
        h('a', {href: `#/jobs/${encodeURIComponent(answer.id)}`, 'data-role': 'submitted-job', text: answer.id}),
        ` (${answer.state ?? 'QUEUED'}).`);
      status.dataset.jobId = answer.id;
      getJob(answer.id).then(upsertJob, () => {});
    } catch (error) {
      const field = error instanceof ApiError ? error.field : null;
      showError(form, textarea, error.message, field);
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}
