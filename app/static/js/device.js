// Bridge to the classic scripts shared with the service worker: addresses (site.js), fresh CSRF tokens
// (csrf.js), IndexedDB (db.js) and the outbox senders.
import '../vendor/idb.umd.js';
import './site.js';
import './csrf.js';
import './db.js';
import './outbox-sync.js';

export const site = self.onecodeSite;
export const freshCsrfToken = self.onecodeCsrf.fresh;
export const db = self.onecodeDb;
export const outboxes = self.onecodeOutboxes;
