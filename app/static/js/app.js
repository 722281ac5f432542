// Loaded by every page: service worker, persistent storage, large text, sign-out, the check-in outbox.
import { startLargeText } from './large-text.js';
import { checkinOutbox } from './outbox-panel.js';
import { site } from './device.js';
import { askForPersistentStorage, keepShellReady, registerServiceWorker } from './register-worker.js';
import { guardSignOut } from './sign-out.js';
import { t } from './strings.js';

startLargeText();
if (document.querySelector('select[data-place-picker]')) import('./place-picker.js');
const signOutForm = document.querySelector('form[data-sign-out]');
if (signOutForm) guardSignOut(signOutForm);
const everywhereForm = document.querySelector('form[data-sign-out-everywhere]');
if (everywhereForm) guardSignOut(everywhereForm, t('sign_out_everywhere'));
registerServiceWorker().then((registration) => {
  // The pages this role needs offline (residents: code and check-in; wardens: the scanner; others: none).
  if (registration && signOutForm) keepShellReady(site.shells[signOutForm.dataset.role] || []);
});
if (signOutForm) {
  askForPersistentStorage();
  checkinOutbox.start();
}
