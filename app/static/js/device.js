// Bridge to the classic scripts shared with the service worker: IndexedDB (db.js) and the outbox senders.
import '../vendor/idb.umd.js';
import './db.js';
import './outbox-sync.js';

export const db = self.onecodeDb;
export const outboxes = self.onecodeOutboxes;
