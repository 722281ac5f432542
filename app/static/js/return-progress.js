// An invitation list's page: start (or resume) sending without leaving the page, then follow the background
// run's progress by polling its JSON until every invitation went out or the run stopped.
import { t } from './strings.js';

const panel = document.querySelector('[data-progress-panel]');
const POLL_MS = 1000;

function show(step) {
  const bar = panel.querySelector('[data-progress]');
  const text = panel.querySelector('[data-progress-text]');
  bar.max = step.total || 1;
  bar.value = step.done;
  if (step.status === 'sent') text.textContent = t('send_done', step);
  else if (step.stalled) text.textContent = t('send_stalled');
  else text.textContent = t('send_progress', step);
}

async function follow() {
  panel.hidden = false;
  for (;;) {
    let step;
    try {
      const response = await fetch(panel.dataset.progressUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      step = await response.json();
    } catch (error) {
      panel.querySelector('[data-progress-text]').textContent = t('send_failed');
      return;
    }
    show(step);
    if (step.status !== 'sending' || step.stalled) {
      window.location.reload();
      return;
    }
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
  }
}

async function start(form) {
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: 'POST', body: new FormData(form), credentials: 'same-origin', headers: { Accept: 'application/json' },
    });
    if (response.status !== 202) {
      window.location.reload(); // the page says why (already sending, sent, discarded)
      return;
    }
    form.hidden = true;
    show(await response.json());
  } catch (error) {
    button.disabled = false;
    panel.hidden = false;
    panel.querySelector('[data-progress-text]').textContent = t('send_failed');
    return;
  }
  await follow();
}

if (panel) {
  for (const form of document.querySelectorAll('[data-send-list], [data-resume-list]')) {
    form.addEventListener('submit', (event) => { event.preventDefault(); start(form); });
  }
  if (panel.dataset.status === 'sending' && !document.querySelector('[data-resume-list]')) follow();
}
