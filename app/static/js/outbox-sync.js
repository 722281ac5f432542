/* Sending the check-in outbox to POST /api/checkins/batch (DESIGN.md section 5).
 *
 * A classic script shared by the pages (through device.js) and the service worker (importScripts),
 * so both send the same way. Needs self.onecodeDb (db.js). Defines self.onecodeOutbox.
 *
 * - A Web Lock makes the page and the worker take turns; the server is idempotent by UUID anyway.
 * - A fresh CSRF token is fetched at send time.
 * - stored/duplicate: acknowledged, removed. conflict/invalid: moved to the rejected list.
 *   Network failure, 5xx, 401 or any other non-OK answer: everything stays queued.
 * - Every change is announced on the BroadcastChannel "onecode-outbox" so every page updates its count.
 */
(function () {
  'use strict';

  const LOCK = 'onecode-checkin-outbox';
  const CHANNEL = 'onecode-outbox';
  const BATCH_SIZE = 100;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;

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
    const response = await request('/api/csrf', { headers: { Accept: 'application/json' } });
    if (!usable(response)) throw new NotSent('csrf', response.status);
    return (await response.json()).csrf_token;
  }

  async function sendBatch(entries, token) {
    const response = await request('/api/checkins/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify({ records: entries.map((entry) => entry.record) }),
    });
    if (!usable(response)) throw new NotSent(response.status === 401 || response.redirected ? 'signed_out' : 'server', response.status);
    const body = await response.json();
    if (!body || !Array.isArray(body.results) || body.results.length !== entries.length) throw new NotSent('server', response.status);
    return body.results;
  }

  /** Sort the server's per-record answers into acknowledged and rejected (matched by position). */
  function settle(entries, results) {
    const acknowledged = [];
    const rejected = [];
    results.forEach((result, index) => {
      const uuid = entries[index].uuid;
      if (result.status === 'stored' || result.status === 'duplicate') acknowledged.push(uuid);
      else if (result.status === 'conflict' || result.status === 'invalid') rejected.push({ uuid, status: result.status, errors: result.errors });
      // Any other answer: keep it queued.
    });
    return { acknowledged, rejected };
  }

  async function sendAll(reason) {
    const summary = { reason, sent: 0, stored: 0, rejected: [], remaining: 0, retry: false };
    const entries = await self.onecodeDb.outboxEntries();
    if (entries.length === 0) return summary;
    try {
      const token = await freshCsrfToken();
      for (let start = 0; start < entries.length; start += BATCH_SIZE) {
        const batch = entries.slice(start, start + BATCH_SIZE);
        const results = await sendBatch(batch, token);
        const { acknowledged, rejected } = settle(batch, results);
        await self.onecodeDb.acknowledge(acknowledged);
        await self.onecodeDb.reject(rejected, Date.now());
        summary.sent += batch.length;
        summary.stored += acknowledged.length;
        summary.rejected.push(...rejected);
      }
    } catch (error) {
      if (!(error instanceof NotSent)) throw error;
      summary.retry = true;
      summary.reason = error.reason;
      summary.status = error.status;
    }
    summary.remaining = await self.onecodeDb.pendingCount();
    return summary;
  }

  function announce(summary) {
    if (channel && (summary.stored || summary.rejected.length)) {
      channel.postMessage({ type: 'outbox-changed', stored: summary.stored, rejected: summary.rejected.length });
    }
  }

  /** Send everything queued; never rejects. Resolves to {stored, rejected, remaining, retry, reason}. */
  async function sync(reason) {
    try {
      if (typeof navigator !== 'undefined' && navigator.onLine === false) {
        return { reason: 'offline', sent: 0, stored: 0, rejected: [], remaining: await self.onecodeDb.pendingCount(), retry: true };
      }
      const run = () => sendAll(reason);
      const summary = navigator.locks ? await navigator.locks.request(LOCK, run) : await run();
      announce(summary);
      return summary;
    } catch (error) {
      return { reason: 'error', error: String(error), sent: 0, stored: 0, rejected: [], remaining: null, retry: true };
    }
  }

  /** Tell other pages and the worker that something was queued (so counts update at once). */
  function announceQueued() {
    if (channel) channel.postMessage({ type: 'outbox-changed', queued: 1 });
  }

  self.onecodeOutbox = Object.freeze({ sync, announceQueued, CHANNEL, SYNC_TAG: 'checkin-outbox' });
})();
