// After an account was deleted: remove what this device still holds of the person (codes, queued records,
// cached pages), as signing out does.
import { db } from './device.js';
import { forgetShell } from './register-worker.js';

async function clear() {
  try {
    await db.clearPersonalData();
    await forgetShell();
  } catch (error) {
    console.error('could not clear the data on this device', error);
    return;
  }
  document.querySelector('[data-device-cleared]').hidden = false;
}

clear();
