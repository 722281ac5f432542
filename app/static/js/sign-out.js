// Sign-out: remove the personal data on this device first, then post the form with a fresh CSRF token.
import { db, freshCsrfToken } from './device.js';
import { forgetShell } from './register-worker.js';
import { t } from './strings.js';

/** Sign-out (or, with `question`, sign-out everywhere after that question): the device's data goes first. */
export function guardSignOut(form, question = null) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (question && !window.confirm(question)) return;
    // Every queue (check-ins, scans) is cleared below, so count them all before asking.
    const counts = await Promise.all(db.OUTBOX_NAMES.map((name) => db.outbox(name).count()));
    const pending = counts.reduce((sum, count) => sum + count, 0);
    if (pending > 0 && !window.confirm(t('sign_out_pending', { count: pending }))) return;
    try {
      await db.clearPersonalData();
      await forgetShell();
    } catch (error) {
      console.error('could not clear the data on this device', error); // still end the session on the server
    }
    const token = await freshCsrfToken().catch(() => null); // offline: the token in the page is the best we have
    if (token && form.elements.csrf_token) form.elements.csrf_token.value = token;
    form.submit(); // does not fire `submit` again
  });
}
