// The check-in form, for the resident's own check-in: when they registered a planned return, fill in the
// arrival from it (where from, the day, how) and say so; they may change it before submitting. Offline or
// with nothing planned, the form stays as it is. The page's HTML holds no personal data: this asks the API.
import { t } from './strings.js';

const fieldset = document.querySelector('[data-arrival-url]');

async function prefill() {
  if (!fieldset || new URLSearchParams(location.search).has('for')) return; // a relative's check-in
  let answer;
  try {
    const response = await fetch(fieldset.dataset.arrivalUrl, {
      credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' },
    });
    if (!response.ok || response.redirected) return;
    answer = await response.json();
  } catch (error) {
    return; // offline: nothing to fill in
  }
  const arrival = answer && answer.arrival;
  const form = fieldset.form || fieldset.closest('form');
  const toggle = form.elements.arrived;
  if (!arrival || toggle.checked) return; // nothing planned, or already answered by hand
  form.elements.arrival_from.value = arrival.from_district;
  form.elements.arrival_day.value = arrival.day;
  form.elements.arrival_transport.value = arrival.transport;
  toggle.checked = true;
  toggle.dispatchEvent(new Event('change'));
  const note = fieldset.querySelector('[data-arrival-note]');
  note.textContent = t('arrival_prefilled', { day: arrival.planned_day });
  note.hidden = false;
}

prefill();
