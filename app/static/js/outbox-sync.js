/* Sending the device's outboxes to the server (docs/contracts.md: offline submissions):
 *   checkin -> POST /api/checkins/batch   (resident check-ins)
 *   scan    -> POST /api/scans/batch      (a warden's recorded scans)
 *   care    -> POST /api/care/batch       (registrations by clinic and pharmacy staff)
 *
 * A classic script shared by the pages (through device.js) and the service worker (importScripts),
 * so both send the same way. Needs self.onecodeSite (site.js), self.onecodeCsrf (csrf.js) and self.onecodeDb
 * (db.js). Defines self.onecodeOutboxes ({checkin, scan, care}).
 *
 * - A Web Lock per outbox makes the page and the worker take turns; the server is idempotent by UUID anyway.
 * - A fresh CSRF token is fetched at send time.
 * - stored/duplicate: acknowledged, removed. conflict/invalid: moved to the rejected list.
 *   Network failure, 5xx, 401 or any other non-OK answer: everything stays queued.
 * - Every change is announced on the outbox's BroadcastChannel so every page updates its count.
 */
(function () {
  'use strict';

  const OUTBOXES = {
    checkin: { endpoint: self.onecodeSite.api.checkins, lock: 'onecode-checkin-outbox', channel: 'onecode-outbox', syncTag: 'checkin-outbox' },
    scan: { endpoint: self.onecodeSite.api.scans, lock: 'onecode-scan-outbox', channel: 'onecode-scan-outbox', syncTag: 'scan-outbox' },
    care: { endpoint: self.onecodeSite.api.care, lock: 'onecode-care-outbox', channel: 'onecode-care-outbox', syncTag: 'care-outbox' },
  };
  // The server's maximum per request (BATCH_MAX_RECORDS): a gate's day of scans goes in a few requests.
  const BATCH_SIZE = 500;

  class NotSent extends Error {
    constructor(reason, status) {
      super(reason);
      this.reason = reason;
      this.status = status || null;
    }
  }

  function isJson(response) {
    return (response.headers.get('Content-Type') || '').includes('application/json');
  }

  /** A signed-out session may answer with a redirect to the sign-in page instead of 401. */
  function usable(response) {
    return response.ok && !response.redirected && isJson(response);
  }

  async function request(url, options) {
    try {
      return await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...options });
    } catch (error) {
      throw new NotSent('network');
    }
  }

  async function freshCsrfToken() {
    let token;
    try {
      token = await self.onecodeCsrf.fresh();
    } catch (error) {
      throw new NotSent('network');
    }
    if (!token) throw new NotSent('csrf');
    return token;
  }

  /** Sort the server's per-record answers into acknowledged and rejected (matched by position, checked by uuid). */
  function settle(entries, results) {
    const acknowledged = [];
    const delivered = [];
    const rejected = [];
    results.forEach((result, index) => {
      const uuid = entries[index].uuid;
      if (!result || (result.uuid && result.uuid !== uuid)) return; // not an answer about this record: keep it
      if (result.status === 'stored' || result.status === 'duplicate') {
        acknowledged.push(uuid);
        delivered.push({ uuid, status: result.status, server: result.server || null, disagreement: Boolean(result.disagreement) });
      } else if (result.status === 'conflict' || result.status === 'invalid') {
        rejected.push({ uuid, status: result.status, errors: result.errors });
      }
      // Any other answer: keep it queued.
    });
    return { acknowledged, delivered, rejected };
  }

  function makeSender(name, config) {
    const store = self.onecodeDb.outbox(name);
    const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(config.channel) : null;

    async function sendBatch(entries, token) {
      const response = await request(config.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
        body: JSON.stringify({ records: entries.map((entry) => entry.record) }),
      });
      if (!usable(response)) throw new NotSent(response.status === 401 || response.redirected ? 'signed_out' : 'server', response.status);
      const body = await response.json();
      if (!body || !Array.isArray(body.results) || body.results.length !== entries.length) throw new NotSent('server', response.status);
      return body.results;
    }

    async function sendAll(reason) {
      const summary = { outbox: name, reason, sent: 0, stored: 0, delivered: [], rejected: [], remaining: 0, retry: false };
      const entries = await store.entries();
      if (entries.length === 0) return summary;
      try {
        const token = await freshCsrfToken();
        for (let start = 0; start < entries.length; start += BATCH_SIZE) {
          const batch = entries.slice(start, start + BATCH_SIZE);
          const results = await sendBatch(batch, token);
          const { acknowledged, delivered, rejected } = settle(batch, results);
          await store.acknowledge(acknowledged);
          await store.reject(rejected, Date.now());
          summary.sent += batch.length;
          summary.stored += acknowledged.length;
          summary.delivered.push(...delivered);
          summary.rejected.push(...rejected);
        }
      } catch (error) {
        if (!(error instanceof NotSent)) throw error;
        summary.retry = true;
        summary.reason = error.reason;
        summary.status = error.status;
      }
      summary.remaining = await store.count();
      return summary;
    }

    function announce(summary) {
      if (channel && (summary.stored || summary.rejected.length)) {
        channel.postMessage({
          type: 'outbox-changed', outbox: name, stored: summary.stored, rejected: summary.rejected.length,
          delivered: summary.delivered,
        });
      }
    }

    /** Send everything queued; never rejects. Resolves to {stored, delivered, rejected, remaining, retry, reason}. */
    async function sync(reason) {
      try {
        if (typeof navigator !== 'undefined' && navigator.onLine === false) {
          return { outbox: name, reason: 'offline', sent: 0, stored: 0, delivered: [], rejected: [], remaining: await store.count(), retry: true };
        }
        const run = () => sendAll(reason);
        const summary = navigator.locks ? await navigator.locks.request(config.lock, run) : await run();
        announce(summary);
        return summary;
      } catch (error) {
        return { outbox: name, reason: 'error', error: String(error), sent: 0, stored: 0, delivered: [], rejected: [], remaining: null, retry: true };
      }
    }

    /** Tell other pages and the worker that something was queued (so counts update at once). */
    function announceQueued() {
      if (channel) channel.postMessage({ type: 'outbox-changed', outbox: name, queued: 1 });
    }

    return Object.freeze({ name, sync, announceQueued, CHANNEL: config.channel, SYNC_TAG: config.syncTag });
  }

  const senders = {};
  for (const [name, config] of Object.entries(OUTBOXES)) senders[name] = makeSender(name, config);
  self.onecodeOutboxes = Object.freeze(senders);
})();
