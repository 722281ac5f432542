// Bridge to the classic scripts shared with the service worker: IndexedDB (db.js) and the outbox sender.
import '../vendor/idb.umd.js';
import './db.js';
import './outbox-sync.js';

export const db = self.onecodeDb;
export const outbox = self.onecodeOutbox;
