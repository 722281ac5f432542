// The check-in outbox as the page sees it: queueing, sync triggers, the pending count,
// the "sync now" button and the list of check-ins the server rejected (DESIGN.md section 5).
import { db, outbox } from './device.js';
import { dateTime } from './local-time.js';
import { t } from './strings.js';

const SYNCED_EVENT = 'onecode:outbox-synced';
let unloading = false;
let syncing = Promise.resolve();

/** Write the record to the device first; only then may the page say "saved". */
export async function queueCheckin(record) {
  await db.queueCheckin(record, Date.now());
  outbox.announceQueued();
  await requestBackgroundSync();
  await renderOutbox();
}

/** Send the queue now (the page's own attempt; the worker may be sending too, under the same lock). */
export function syncNow(reason) {
  // One attempt after another: a trigger that arrives mid-send still gets its own pass.
  const run = syncing.then(() => outbox.sync(reason)).then(async (summary) => {
    await renderOutbox(summary);
    if (summary.stored || summary.rejected.length) document.dispatchEvent(new CustomEvent(SYNCED_EVENT, { detail: summary }));
    return summary;
  });
  syncing = run.catch(() => null);
  return run;
}

/** Run `listener(summary)` whenever queued check-ins were delivered or rejected, by this page or the worker. */
export function onSynced(listener) {
  document.addEventListener(SYNCED_EVENT, (event) => listener(event.detail));
}

export async function dismissRejected(uuid) {
  await db.dismissRejected(uuid);
  await renderOutbox();
}

async function requestBackgroundSync() {
  try {
    const registration = 'serviceWorker' in navigator && await navigator.serviceWorker.getRegistration();
    if (registration && registration.active && 'sync' in registration) await registration.sync.register(outbox.SYNC_TAG);
  } catch (error) {
    // Background Sync unavailable or refused: the other triggers still send the queue.
  }
}

function rejectionMessage(entry) {
  if (entry.status === 'conflict') return t('rejected_conflict');
  const messages = Object.values(entry.errors || {});
  return messages.length ? messages.join(' ') : t('rejected_invalid');
}

async function renderOutbox(summary) {
  const [pending, rejected] = await Promise.all([db.pendingCount(), db.rejectedEntries()]);
  for (const element of document.querySelectorAll('[data-pending-count]')) element.textContent = String(pending);
  for (const panel of document.querySelectorAll('[data-outbox]')) {
    panel.dataset.pending = String(pending);
    const status = panel.querySelector('[data-sync-status]');
    if (status && summary) {
      status.hidden = false;
      status.textContent = summary.retry
        ? t(summary.reason === 'signed_out' || summary.reason === 'csrf' ? 'sync_signed_out' : 'sync_failed')
        : t('sync_done', { time: dateTime(Date.now()) });
    }
    renderRejected(panel, rejected);
  }
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
    when.textContent = t('rejected_item', { time: dateTime(Date.parse(entry.record.checked_at)) });
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
export function startOutbox() {
  addEventListener('pagehide', () => { unloading = true; });
  addEventListener('beforeunload', () => { unloading = true; });
  addEventListener('pageshow', () => { unloading = false; });
  addEventListener('online', () => {
    if (!unloading && navigator.onLine) syncNow('online');
  });
  for (const button of document.querySelectorAll('[data-sync-now]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      try { await syncNow('button'); } finally { button.disabled = false; }
    });
  }
  if (typeof BroadcastChannel === 'function') {
    new BroadcastChannel(outbox.CHANNEL).addEventListener('message', async (event) => {
      await renderOutbox();
      if (event.data && (event.data.stored || event.data.rejected)) {
        document.dispatchEvent(new CustomEvent(SYNCED_EVENT, { detail: event.data }));
      }
    });
  }
  renderOutbox();
  if (navigator.onLine) syncNow('page-load');
}
