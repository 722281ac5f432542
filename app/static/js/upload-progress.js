// Console uploads: say that a large file is being checked, and show the progress of applying it
// (the server streams one JSON line per step while it works in a single transaction).
import { t } from './strings.js';

for (const form of document.querySelectorAll('[data-busy-form]')) {
  form.addEventListener('submit', () => {
    const button = form.querySelector('[data-busy-text]');
    const status = form.querySelector('[data-busy-status]');
    if (button) button.disabled = true;
    if (status && button) status.textContent = button.dataset.busyText;
  });
}

async function apply(form) {
  const button = form.querySelector('button[type=submit]');
  const bar = form.querySelector('[data-progress]');
  const text = form.querySelector('[data-progress-text]');
  button.disabled = true;
  bar.hidden = false;
  const show = (step) => {
    text.textContent = t(`upload_${step.stage}`, step);
    if (step.total) { bar.max = step.total; bar.value = step.done; }
  };
  let last = null;
  try {
    const response = await fetch(form.action, {
      method: 'POST', body: new FormData(form), credentials: 'same-origin',
      headers: { Accept: 'application/x-ndjson' },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines.filter(Boolean)) { last = JSON.parse(line); show(last); }
    }
  } catch (error) {
    last = { stage: 'failed' };
    show(last);
  }
  if (last && last.stage === 'done') {
    window.location.reload();
  } else {
    if (!last || last.stage !== 'failed') show({ stage: 'failed' });
    button.disabled = false;
  }
}

for (const form of document.querySelectorAll('[data-apply-upload]')) {
  form.addEventListener('submit', (event) => { event.preventDefault(); apply(form); });
}
