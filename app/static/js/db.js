/* The only module that touches IndexedDB (database "onecode").
 *
 * A classic script so the service worker can importScripts() it; pages load it through
 * device.js. Needs idb's UMD build (self.idb) loaded first. Defines self.onecodeDb.
 *
 * Stores (version 1):
 *   codes          key "self" -> {code: <GET /api/code body>, saved_at: ms, checked_at: ms}  (see version 3)
 *   outbox         keyPath uuid -> {uuid, record: <check-in as sent to the server>, queued_at: ms}
 *   rejected       keyPath uuid -> {uuid, record, status: "conflict"|"invalid", errors, rejected_at: ms}
 *   prefs          key -> value (form defaults such as the last district; personal, cleared on sign-out)
 * Added in version 2 (the warden's scanner):
 *   scan_outbox    keyPath uuid -> {uuid, record: <scan as sent to /api/scans/batch>, queued_at: ms}
 *   scan_rejected  keyPath uuid -> {uuid, record, status, errors, rejected_at: ms}
 *   trust          key "bundle" -> {jws, iss, iat, fetched_at: ms}  (the last good trust bundle, verified)
 *                  key "clock"  -> {offset_ms, measured_at: ms}     (server time minus device time)
 * Added in version 3 (guardians):
 *   people         key "list" -> {people: <GET /api/people body's list>, saved_at: ms}
 *   codes          now also holds relatives' codes: key = their person id (a number), same entry shape.
 *                  The resident's own code stays under "self" (the code JSON carries no person id, and
 *                  the page must find it offline without the people list), so version 2 entries need no move.
 * Added in version 4 (clinic and pharmacy desks):
 *   care_outbox    keyPath uuid -> {uuid, record: <registration as sent to /api/care/batch>, queued_at: ms}
 *   care_rejected  keyPath uuid -> {uuid, record, status, errors, rejected_at: ms}
 *
 * Each outbox is a pair of stores (queue, rejected) named in OUTBOXES; db.outbox(name) works on one.
 */
(function () {
  'use strict';

  const NAME = 'onecode';
  const VERSION = 4;
  const SELF_CODE = 'self';
  const OUTBOXES = Object.freeze({
    checkin: Object.freeze({ queue: 'outbox', rejected: 'rejected' }),
    scan: Object.freeze({ queue: 'scan_outbox', rejected: 'scan_rejected' }),
    care: Object.freeze({ queue: 'care_outbox', rejected: 'care_rejected' }),
  });
  let opening = null;

  /** Each step brings a database of the previous version up to the next one (never skips, never drops data). */
  function upgrade(database, oldVersion) {
    if (oldVersion < 1) {
      database.createObjectStore('codes');
      database.createObjectStore('outbox', { keyPath: 'uuid' });
      database.createObjectStore('rejected', { keyPath: 'uuid' });
      database.createObjectStore('prefs');
    }
    if (oldVersion < 2) {
      database.createObjectStore('scan_outbox', { keyPath: 'uuid' });
      database.createObjectStore('scan_rejected', { keyPath: 'uuid' });
      database.createObjectStore('trust');
    }
    if (oldVersion < 3) {
      database.createObjectStore('people');
    }
    if (oldVersion < 4) {
      database.createObjectStore('care_outbox', { keyPath: 'uuid' });
      database.createObjectStore('care_rejected', { keyPath: 'uuid' });
    }
  }

  function open() {
    if (!opening) {
      opening = self.idb.openDB(NAME, VERSION, {
        upgrade,
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

  /** The key of a person's code: SELF_CODE for the signed-in resident, else the relative's person id. */
  function codeKey(person) {
    return person === undefined || person === null || person === SELF_CODE ? SELF_CODE : Number(person);
  }

  async function savedCode(person) {
    return (await (await open()).get('codes', codeKey(person))) || null;
  }

  async function saveCode(code, now, person) {
    const entry = { code, saved_at: now, checked_at: now };
    await (await open()).put('codes', entry, codeKey(person));
    return entry;
  }

  /** The server confirmed (304) that the saved code is still current. */
  async function confirmCode(jti, now, person) {
    const key = codeKey(person);
    const database = await open();
    const tx = database.transaction('codes', 'readwrite');
    const entry = await tx.store.get(key);
    if (entry && entry.code.jti === jti) {
      entry.checked_at = now;
      await tx.store.put(entry, key);
    }
    await tx.done;
    return entry || null;
  }

  /** Whose codes this device may show (the last good GET /api/people answer), or null. */
  async function savedPeople() {
    return (await (await open()).get('people', 'list')) || null;
  }

  /** Save a fresh people list; codes of relatives no longer on it (binding ended) leave the device too
   *  (so does a copy of the resident's own code saved under their id, from a link naming it). */
  async function savePeople(people, now) {
    const entry = { people, saved_at: now };
    const tx = (await open()).transaction(['people', 'codes'], 'readwrite');
    await tx.objectStore('people').put(entry, 'list');
    const relatives = new Set(people.filter((person) => person.relationship !== 'self').map((person) => person.id));
    const codes = tx.objectStore('codes');
    for (const key of await codes.getAllKeys()) {
      if (key !== SELF_CODE && !relatives.has(key)) await codes.delete(key);
    }
    await tx.done;
    return entry;
  }

  function storesOf(name) {
    const stores = OUTBOXES[name];
    if (!stores) throw new Error(`unknown outbox ${name}`);
    return stores;
  }

  /** One outbox (queue + rejected list): "checkin", "scan" or "care". */
  function outbox(name) {
    const { queue, rejected } = storesOf(name);
    return Object.freeze({
      name,
      /** Write the record; resolves only once IndexedDB committed it. */
      async queue(record, now) {
        await (await open()).add(queue, { uuid: record.uuid, record, queued_at: now });
      },
      async entries() {
        return (await open()).getAll(queue);
      },
      async count() {
        return (await open()).count(queue);
      },
      async has(uuid) {
        return (await (await open()).getKey(queue, uuid)) !== undefined;
      },
      /** The server stored the records (or already had them): they leave the queue. */
      async acknowledge(uuids) {
        const tx = (await open()).transaction(queue, 'readwrite');
        await Promise.all(uuids.map((uuid) => tx.store.delete(uuid)));
        await tx.done;
      },
      /** The server refused the records: move them to the visible rejected list in one transaction. */
      async reject(rejections, now) {
        const tx = (await open()).transaction([queue, rejected], 'readwrite');
        const queued = tx.objectStore(queue);
        const refused = tx.objectStore(rejected);
        for (const { uuid, status, errors } of rejections) {
          const entry = await queued.get(uuid);
          if (!entry) continue;
          await refused.put({ uuid, record: entry.record, status, errors: errors || {}, rejected_at: now });
          await queued.delete(uuid);
        }
        await tx.done;
      },
      async rejectedEntries() {
        return (await open()).getAll(rejected);
      },
      async dismissRejected(uuid) {
        await (await open()).delete(rejected, uuid);
      },
    });
  }

  const checkins = outbox('checkin');

  /** The last good trust bundle (already verified when saved; pages verify it again before use). */
  async function trustBundle() {
    return (await (await open()).get('trust', 'bundle')) || null;
  }

  /** Keep `entry` unless the saved bundle is newer (a replayed old bundle must not roll revocations back). */
  async function saveTrustBundle(entry) {
    const tx = (await open()).transaction('trust', 'readwrite');
    const saved = await tx.store.get('bundle');
    const keep = saved && saved.iss === entry.iss && saved.iat > entry.iat ? saved : entry;
    if (keep === entry) await tx.store.put(entry, 'bundle');
    await tx.done;
    return keep;
  }

  async function clockOffset() {
    return (await (await open()).get('trust', 'clock')) || null;
  }

  async function saveClockOffset(offsetMs, now) {
    const entry = { offset_ms: offsetMs, measured_at: now };
    await (await open()).put('trust', entry, 'clock');
    return entry;
  }

  async function pref(key) {
    return (await open()).get('prefs', key);
  }

  async function setPref(key, value) {
    await (await open()).put('prefs', value, key);
  }

  /** Sign-out: remove everything personal (every saved code, the people list, queued and rejected check-ins,
   *  scans and registrations, form defaults). The trust bundle stays: it holds public keys and hashes only. */
  async function clearPersonalData() {
    const stores = ['codes', 'people', 'outbox', 'rejected', 'prefs', 'scan_outbox', 'scan_rejected', 'care_outbox', 'care_rejected'];
    const tx = (await open()).transaction(stores, 'readwrite');
    await Promise.all(stores.map((name) => tx.objectStore(name).clear()));
    await tx.done;
  }

  self.onecodeDb = Object.freeze({
    savedCode, saveCode, confirmCode, savedPeople, savePeople, SELF: SELF_CODE,
    // The check-in outbox under its original names (pages and tests written before the scan outbox).
    queueCheckin: checkins.queue, outboxEntries: checkins.entries, pendingCount: checkins.count,
    acknowledge: checkins.acknowledge, reject: checkins.reject, rejectedEntries: checkins.rejectedEntries,
    dismissRejected: checkins.dismissRejected,
    outbox, OUTBOX_NAMES: Object.freeze(Object.keys(OUTBOXES)),
    trustBundle, saveTrustBundle, clockOffset, saveClockOffset,
    pref, setPref, clearPersonalData,
  });
})();
