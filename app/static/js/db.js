/* The only module that touches IndexedDB (database "onecode").
 *
 * A classic script so the service worker can importScripts() it; pages load it through
 * device.js. Needs idb's UMD build (self.idb) loaded first. Defines self.onecodeDb.
 *
 * Stores:
 *   codes     key "self" -> {code: <GET /api/code body>, saved_at: ms, checked_at: ms}
 *   outbox    keyPath uuid -> {uuid, record: <check-in as sent to the server>, queued_at: ms}
 *   rejected  keyPath uuid -> {uuid, record, status: "conflict"|"invalid", errors, rejected_at: ms}
 *   prefs     key -> value (form defaults such as the last district; personal, cleared on sign-out)
 */
(function () {
  'use strict';

  const NAME = 'onecode';
  const VERSION = 1;
  const SELF_CODE = 'self';
  let opening = null;

  function open() {
    if (!opening) {
      opening = self.idb.openDB(NAME, VERSION, {
        upgrade(database) {
          database.createObjectStore('codes');
          database.createObjectStore('outbox', { keyPath: 'uuid' });
          database.createObjectStore('rejected', { keyPath: 'uuid' });
          database.createObjectStore('prefs');
        },
        blocking() {
          // A newer version wants to upgrade (another tab or the worker): let it.
          opening.then((database) => database.close());
          opening = null;
        },
        terminated() {
          opening = null;
        },
      });
    }
    return opening;
  }

  async function savedCode() {
    return (await (await open()).get('codes', SELF_CODE)) || null;
  }

  async function saveCode(code, now) {
    const entry = { code, saved_at: now, checked_at: now };
    await (await open()).put('codes', entry, SELF_CODE);
    return entry;
  }

  /** The server confirmed (304) that the saved code is still current. */
  async function confirmCode(jti, now) {
    const database = await open();
    const tx = database.transaction('codes', 'readwrite');
    const entry = await tx.store.get(SELF_CODE);
    if (entry && entry.code.jti === jti) {
      entry.checked_at = now;
      await tx.store.put(entry, SELF_CODE);
    }
    await tx.done;
    return entry || null;
  }

  async function queueCheckin(record, now) {
    await (await open()).add('outbox', { uuid: record.uuid, record, queued_at: now });
  }

  async function outboxEntries() {
    return (await open()).getAll('outbox');
  }

  async function pendingCount() {
    return (await open()).count('outbox');
  }

  /** The server stored the record (or already had it): it leaves the queue. */
  async function acknowledge(uuids) {
    const tx = (await open()).transaction('outbox', 'readwrite');
    await Promise.all(uuids.map((uuid) => tx.store.delete(uuid)));
    await tx.done;
  }

  /** The server refused the record: move it to the visible rejected list in one transaction. */
  async function reject(rejections, now) {
    const tx = (await open()).transaction(['outbox', 'rejected'], 'readwrite');
    const outbox = tx.objectStore('outbox');
    const rejected = tx.objectStore('rejected');
    for (const { uuid, status, errors } of rejections) {
      const entry = await outbox.get(uuid);
      if (!entry) continue;
      await rejected.put({ uuid, record: entry.record, status, errors: errors || {}, rejected_at: now });
      await outbox.delete(uuid);
    }
    await tx.done;
  }

  async function rejectedEntries() {
    return (await open()).getAll('rejected');
  }

  async function dismissRejected(uuid) {
    await (await open()).delete('rejected', uuid);
  }

  async function pref(key) {
    return (await open()).get('prefs', key);
  }

  async function setPref(key, value) {
    await (await open()).put('prefs', value, key);
  }

  /** Sign-out: remove everything personal (code, queued and rejected check-ins, form defaults). */
  async function clearPersonalData() {
    const stores = ['codes', 'outbox', 'rejected', 'prefs'];
    const tx = (await open()).transaction(stores, 'readwrite');
    await Promise.all(stores.map((name) => tx.objectStore(name).clear()));
    await tx.done;
  }

  self.onecodeDb = Object.freeze({
    savedCode, saveCode, confirmCode,
    queueCheckin, outboxEntries, pendingCount, acknowledge, reject, rejectedEntries, dismissRejected,
    pref, setPref, clearPersonalData,
  });
})();
