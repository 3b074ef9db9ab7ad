// The tasks this browser holds and their last checkpoints, kept in IndexedDB so that a volunteer who
// closes the tab and comes back before a task's deadline resumes it where it stopped. Every call
// degrades to doing nothing when IndexedDB is unavailable (private windows may refuse it).

const DB = 'enjambre-volunteer';
const STORE = 'tasks';

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise(resolve => {
      try {
        // Version 2 creates the store even when something opened the database before this page did.
        const request = indexedDB.open(DB, 2);
        request.onupgradeneeded = () => {
          if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, {keyPath: 'id'});
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(null);
      } catch {
        resolve(null);
      }
    });
  }
  return opening;
}

async function run(mode, action) {
  const db = await open();
  if (!db) return null;
  return new Promise(resolve => {
    const tx = db.transaction(STORE, mode);
    const request = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => resolve(null);
    tx.onabort = () => resolve(null);
  });
}

/** Saves a held task ({id, workerId, task, checkpoint: Uint8Array or null}), replacing its earlier record. */
export function save(record) {
  return run('readwrite', store => store.put(record));
}

export function remove(id) {
  return run('readwrite', store => store.delete(id));
}

/** Every saved task of this worker; the records of other workers (an earlier registration) are removed. */
export async function load(workerId) {
  const records = (await run('readonly', store => store.getAll())) ?? [];
  const mine = [];
  for (const r of records) {
    if (r.workerId === workerId) mine.push(r);
    else await remove(r.id);
  }
  return mine;
}
