// The warden's scan outbox as the scanner page sees it: queueing, sync triggers, the pending count,
// "sync now", the list of scans the server rejected (DESIGN.md section 5). Sending itself is outbox-sync.js,
// shared with the service worker; this is the scan twin of outbox-panel.js (check-ins).
import { db } from './device.js';
import { dateTime } from './local-time.js';
import { t } from './strings.js';

const store = db.outbox('scan');
const sender = self.onecodeOutboxes.scan;
const listeners = [];
let unloading = false;
let syncing = Promise.resolve();

/** Write the scan to the device first; resolves once IndexedDB has it (only then may the page say "recorded"). */
export async function queueScan(record) {
  await store.queue(record, Date.now());
  sender.announceQueued();
  requestBackgroundSync();
  await renderOutbox();
}

/** Is this scan still waiting on the device? */
export function isQueued(uuid) {
  return store.has(uuid);
}

/** Send the queue now (one attempt after another; the worker may be sending too, under the same lock). */
export function syncNow(reason) {
  const run = syncing.then(() => sender.sync(reason)).then(async (summary) => {
    await renderOutbox(summary);
    if (summary.stored || summary.rejected.length) notify(summary);
    return summary;
  });
  syncing = run.catch(() => null);
  return run;
}

/** Run `listener(summary)` whenever queued scans were delivered or rejected, by this page or the worker. */
export function onSynced(listener) {
  listeners.push(listener);
}

function notify(summary) {
  for (const listener of listeners) listener(summary);
}

async function requestBackgroundSync() {
  try {
    const registration = 'serviceWorker' in navigator && await navigator.serviceWorker.getRegistration();
    if (registration && registration.active && 'sync' in registration) await registration.sync.register(sender.SYNC_TAG);
  } catch (error) {
    // Background Sync unavailable or refused: the other triggers still send the queue.
  }
}

function rejectionMessage(entry) {
  if (entry.status === 'conflict') return t('scan_rejected_conflict');
  const messages = Object.values(entry.errors || {});
  return messages.length ? messages.join(' ') : t('scan_rejected_invalid');
}

async function renderOutbox(summary) {
  const [pending, rejected] = await Promise.all([store.count(), store.rejectedEntries()]);
  for (const panel of document.querySelectorAll('[data-scan-outbox]')) {
    panel.dataset.pending = String(pending);
    for (const element of panel.querySelectorAll('[data-scan-pending]')) element.textContent = String(pending);
    const status = panel.querySelector('[data-scan-sync-status]');
    if (status && summary && !(summary.reason === 'offline' && pending === 0)) {
      status.hidden = false;
      status.textContent = summary.retry
        ? t(summary.reason === 'signed_out' || summary.reason === 'csrf' ? 'scan_sync_signed_out'
          : summary.reason === 'offline' ? 'scan_sync_offline' : 'scan_sync_failed')
        : t('scan_sync_done', { time: dateTime(Date.now()) });
    }
    renderRejected(panel, rejected);
  }
}

function renderRejected(panel, rejected) {
  const box = panel.querySelector('[data-scan-rejected]');
  const list = panel.querySelector('[data-scan-rejected-list]');
  if (!box || !list) return;
  box.hidden = rejected.length === 0;
  list.replaceChildren(...rejected.map((entry) => {
    const item = document.createElement('li');
    item.dataset.uuid = entry.uuid;
    const when = document.createElement('strong');
    when.textContent = t('scan_rejected_item', { time: dateTime(Date.parse(entry.record.scanned_at)) });
    const message = document.createElement('p');
    message.className = 'error';
    message.textContent = rejectionMessage(entry);
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'link';
    dismiss.textContent = t('dismiss');
    dismiss.addEventListener('click', async () => {
      await store.dismissRejected(entry.uuid);
      await renderOutbox();
    });
    item.append(when, message, dismiss);
    return item;
  }));
}

/** Wire the triggers: page load, `online` (not while unloading or still offline), the button, the worker's news. */
export function startScanOutbox() {
  addEventListener('pagehide', () => { unloading = true; });
  addEventListener('beforeunload', () => { unloading = true; });
  addEventListener('pageshow', () => { unloading = false; });
  addEventListener('online', () => {
    if (!unloading && navigator.onLine) syncNow('online');
  });
  for (const button of document.querySelectorAll('[data-scan-sync-now]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      try { await syncNow('button'); } finally { button.disabled = false; }
    });
  }
  if (typeof BroadcastChannel === 'function') {
    new BroadcastChannel(sender.CHANNEL).addEventListener('message', async (event) => {
      await renderOutbox();
      if (event.data && (event.data.stored || event.data.rejected)) {
        notify({ ...event.data, rejected: [], remaining: await store.count() });
      }
    });
  }
  renderOutbox();
  if (navigator.onLine) syncNow('page-load');
}
