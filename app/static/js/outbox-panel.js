// An outbox as the page sees it (docs/contracts.md: offline submissions): queueing, sync triggers, the pending count, "sync now"
// and the list of records the server rejected. One module for both outboxes: the resident's check-ins and the
// warden's scans. Sending itself is outbox-sync.js, shared with the service worker.
//
// Markup (resident/_outbox.html, warden/_scan_outbox.html, warden/_scan_result.html): every element with
// data-outbox="<name>" is a panel of that outbox, holding any of [data-pending-count], [data-sync-now],
// [data-sync-status], [data-rejected] (with [data-rejected-list]). The panel gets data-pending="<count>".
import { db, outboxes } from './device.js';
import { dateTime } from './local-time.js';
import { t } from './strings.js';

/**
 * The page side of one outbox.
 *   name         "checkin" or "scan" (db.outbox(name), self.onecodeOutboxes[name], data-outbox="name")
 *   strings      prefix of its text keys (strings.js): sync_done, sync_failed, sync_signed_out, sync_offline,
 *                rejected_item, rejected_conflict, rejected_invalid; "dismiss" is shared
 *   timeField    the record's time shown in the rejected list
 *   offlineLine  say "no connection" (sync_offline) when offline, and nothing at all when offline with nothing
 *                waiting; without it, offline reads as sync_failed
 */
export function createOutboxPanel({ name, strings = '', timeField, offlineLine = false }) {
  const store = db.outbox(name);
  const sender = outboxes[name];
  const listeners = [];
  const panels = () => document.querySelectorAll(`[data-outbox="${name}"]`);
  const text = (key, values) => t(strings + key, values);
  let unloading = false;
  let syncing = Promise.resolve();

  /** Write the record to the device first; resolves once IndexedDB has it (only then may the page say "saved"). */
  async function queue(record) {
    await store.queue(record, Date.now());
    sender.announceQueued();
    requestBackgroundSync();
    await render();
  }

  /** Is this record still waiting on the device? */
  function isQueued(uuid) {
    return store.has(uuid);
  }

  /** Send the queue now (one attempt after another; the worker may be sending too, under the same lock). */
  function syncNow(reason) {
    // A trigger that arrives mid-send still gets its own pass.
    const run = syncing.then(() => sender.sync(reason)).then(async (summary) => {
      await render(summary);
      if (summary.stored || summary.rejected.length) notify(summary);
      return summary;
    });
    syncing = run.catch(() => null);
    return run;
  }

  /** Run `listener(summary)` whenever queued records were delivered or rejected, by this page or the worker. */
  function onSynced(listener) {
    listeners.push(listener);
  }

  function notify(summary) {
    for (const listener of listeners) listener(summary);
  }

  async function dismissRejected(uuid) {
    await store.dismissRejected(uuid);
    await render();
  }

  async function requestBackgroundSync() {
    try {
      const registration = 'serviceWorker' in navigator && await navigator.serviceWorker.getRegistration();
      if (registration && registration.active && 'sync' in registration) await registration.sync.register(sender.SYNC_TAG);
    } catch (error) {
      // Background Sync unavailable or refused: the other triggers still send the queue.
    }
  }

  function statusText(summary) {
    if (!summary.retry) return text('sync_done', { time: dateTime(Date.now()) });
    if (summary.reason === 'signed_out' || summary.reason === 'csrf') return text('sync_signed_out');
    return text(offlineLine && summary.reason === 'offline' ? 'sync_offline' : 'sync_failed');
  }

  async function render(summary) {
    const [pending, rejected] = await Promise.all([store.count(), store.rejectedEntries()]);
    for (const panel of panels()) {
      panel.dataset.pending = String(pending);
      for (const element of panel.querySelectorAll('[data-pending-count]')) element.textContent = String(pending);
      const status = panel.querySelector('[data-sync-status]');
      if (status && summary && !(offlineLine && summary.reason === 'offline' && pending === 0)) {
        status.hidden = false;
        status.textContent = statusText(summary);
      }
      renderRejected(panel, rejected);
    }
  }

  function rejectionMessage(entry) {
    if (entry.status === 'conflict') return text('rejected_conflict');
    const messages = Object.values(entry.errors || {});
    return messages.length ? messages.join(' ') : text('rejected_invalid');
  }

  function renderRejected(panel, rejected) {
    const box = panel.querySelector('[data-rejected]');
    const list = panel.querySelector('[data-rejected-list]');
    if (!box || !list) return;
    box.hidden = rejected.length === 0;
    list.replaceChildren(...rejected.map((entry) => {
      const item = document.createElement('li');
      item.dataset.uuid = entry.uuid;
      const when = document.createElement('strong');
      when.textContent = text('rejected_item', { time: dateTime(Date.parse(entry.record[timeField])) });
      const message = document.createElement('p');
      message.className = 'error';
      message.textContent = rejectionMessage(entry);
      const dismiss = document.createElement('button');
      dismiss.type = 'button';
      dismiss.className = 'link';
      dismiss.textContent = t('dismiss');
      dismiss.addEventListener('click', () => dismissRejected(entry.uuid));
      item.append(when, message, dismiss);
      return item;
    }));
  }

  /** Wire the triggers: page load, `online` (not while unloading or still offline), the button, the worker's news. */
  function start() {
    addEventListener('pagehide', () => { unloading = true; });
    addEventListener('beforeunload', () => { unloading = true; });
    addEventListener('pageshow', () => { unloading = false; });
    addEventListener('online', () => {
      if (!unloading && navigator.onLine) syncNow('online');
    });
    for (const panel of panels()) {
      for (const button of panel.querySelectorAll('[data-sync-now]')) {
        button.addEventListener('click', async () => {
          button.disabled = true;
          try { await syncNow('button'); } finally { button.disabled = false; }
        });
      }
    }
    if (typeof BroadcastChannel === 'function') {
      new BroadcastChannel(sender.CHANNEL).addEventListener('message', async (event) => {
        await render();
        if (event.data && (event.data.stored || event.data.rejected)) {
          // The worker's news carries counts, not the rejected records themselves.
          notify({ ...event.data, rejected: [], remaining: await store.count() });
        }
      });
    }
    render();
    if (navigator.onLine) syncNow('page-load');
  }

  return Object.freeze({ name, queue, isQueued, syncNow, onSynced, dismissRejected, start });
}

/** The resident's check-ins (every signed-in page starts it, app.js). */
export const checkinOutbox = createOutboxPanel({ name: 'checkin', timeField: 'checked_at' });

/** The warden's recorded scans (the scanner page starts it). */
export const scanOutbox = createOutboxPanel({ name: 'scan', strings: 'scan_', timeField: 'scanned_at', offlineLine: true });
