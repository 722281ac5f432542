// A clinic or pharmacy desk (templates/_care_desk.html): identify a person online (camera, typed code, ID number;
// the server answers their card and a ticket), then the page's registration forms. Each form
// (<form data-care-form="<kind>">) becomes a record {uuid, kind, ticket, recorded_at, ...fields} that is written to
// the care outbox in IndexedDB before the page says "saved", and sent when there is a connection
// (docs/contracts.md: offline submissions). Field rules: see recordFrom().
import { QrCamera } from './camera.js';
import { freshCsrfToken, site } from './device.js';
import { validIdNumber } from './id-number.js';
import { createOutboxPanel } from './outbox-panel.js';
import { choosePlace } from './place-picker.js';
import { t } from './strings.js';

const root = document.querySelector('[data-care-desk]');
const $ = (name) => root.querySelector(`[data-${name}]`);
const forms = [...document.querySelectorAll('form[data-care-form]')];
const careOutbox = createOutboxPanel({ name: 'care', strings: 'care_', timeField: 'recorded_at', offlineLine: true });
let person = null;
let pending = null; // the last lookup that asked for an SMS code: {qr_text}
let camera = null;

// --- identifying --------------------------------------------------------------------------------------------

function showError(message) {
  const element = $('identify-error');
  element.hidden = !message;
  element.textContent = message || '';
  $('identify-status').hidden = true;
}

function showStatus(message) {
  const element = $('identify-status');
  element.hidden = !message;
  element.textContent = message || '';
}

async function lookUp(body) {
  if (!navigator.onLine) {
    showError(t('offline'));
    return;
  }
  showError(null);
  showStatus(t('looking_up'));
  let response;
  try {
    const token = await freshCsrfToken();
    if (!token) throw new Error('no CSRF token');
    response = await fetch(site.api.identify, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify(body),
    });
  } catch (error) {
    showError(t('offline'));
    return;
  }
  const isJson = (response.headers.get('Content-Type') || '').includes('application/json');
  const answer = isJson && !response.redirected ? await response.json().catch(() => null) : null;
  if (response.ok && answer && answer.person) {
    pending = null;
    $('sms-form').hidden = true;
    showStatus(null);
    showPerson(answer.person);
  } else if (answer && answer.error === 'sms_code_needed') {
    pending = { qr_text: body.qr_text };
    $('sms-form').hidden = false;
    $('sms-form').querySelector('input').focus();
    showStatus(answer.message);
  } else {
    showError((answer && answer.message) || t('lookup_failed'));
    if (camera) camera.resume();
  }
}

function showPerson(card) {
  person = card;
  if (camera) camera.pause();
  setCameraStatus('camera_paused');
  root.dataset.state = 'identified';
  const panel = $('person');
  panel.hidden = false;
  panel.dataset.colour = card.colour || 'none';
  panel.querySelector('[data-person-name]').textContent = card.name;
  panel.querySelector('[data-person-colour]').textContent = t(`colour_${card.colour || 'none'}`);
  panel.querySelector('[data-person-id-number]').textContent = card.id_number || t('unknown');
  panel.querySelector('[data-person-phone]').textContent = card.phone || t('unknown');
  panel.querySelector('[data-person-age]').textContent =
    card.age === null ? t('unknown') : t(card.is_child ? 'age_child' : 'age_years', { n: card.age });
  panel.querySelector('[data-person-residence]').textContent =
    [card.district_name, card.address].filter(Boolean).join(' ') || t('unknown');
  panel.querySelector('[data-person-via]').textContent = t(`via_${card.via}`);
  panel.querySelector('[data-person-reasons]').replaceChildren(...card.reasons.map((reason) => {
    const item = document.createElement('li');
    item.dataset.colour = reason.colour;
    const text = document.createElement('strong');
    text.textContent = reason.text;
    const guidance = document.createElement('p');
    guidance.textContent = reason.guidance;
    item.append(text, guidance);
    return item;
  }));
  for (const form of forms) prepareForm(form, card);
  $('saved').hidden = true;
  panel.focus();
}

function nextPerson() {
  person = null;
  root.dataset.state = 'identify';
  $('person').hidden = true;
  for (const form of forms) form.hidden = true;
  showError(null);
  const idInput = $('id-form').querySelector('input');
  idInput.value = '';
  idInput.focus();
  if (camera) camera.resume();
  setCameraStatus(camera ? 'camera_ready' : null);
}

// --- the registration forms ---------------------------------------------------------------------------------

function prepareForm(form, card) {
  form.reset();
  form.hidden = false;
  for (const row of form.querySelectorAll('[data-care-row]')) {
    if (row.closest('[data-care-rows]').querySelectorAll('[data-care-row]').length > 1) row.remove();
  }
  for (const [name, value] of [['address', card.address], ['district', card.district]]) {
    const field = form.elements.namedItem(name);
    if (field && value && field.dataset.placePicker) choosePlace(field, value); // may lie outside the local area
    else if (field && value) field.value = value;
  }
  for (const element of form.querySelectorAll('[data-child-only]')) {
    element.hidden = !card.is_child;
    for (const input of element.querySelectorAll('input, select, textarea')) input.disabled = !card.is_child;
  }
  clearErrors(form);
}

function fieldValue(input) {
  if (input.type === 'number') return input.value.trim() === '' ? null : Number(input.value);
  if (input.type === 'checkbox') return input.checked;
  return input.value.trim();
}

/** The form's fields as a record: text/select/textarea -> trimmed text; number -> number or null; a lone
 *  checkbox -> true/false; checkboxes sharing a name with data-care-multi -> the list of checked values;
 *  [data-care-rows="<field>"] -> a list of objects, one per [data-care-row], keyed by its inputs' names. */
function recordFrom(form) {
  const record = {};
  const inRows = (input) => input.closest('[data-care-rows]');
  for (const input of form.querySelectorAll('input[name], select[name], textarea[name]')) {
    if (input.disabled || inRows(input)) continue;
    if (input.type === 'checkbox' && input.hasAttribute('data-care-multi')) {
      record[input.name] = record[input.name] || [];
      if (input.checked) record[input.name].push(input.value);
    } else if (input.type === 'radio') {
      if (input.checked) record[input.name] = input.value;
      else if (!(input.name in record)) record[input.name] = null;
    } else {
      record[input.name] = fieldValue(input);
    }
  }
  for (const rows of form.querySelectorAll('[data-care-rows]')) {
    record[rows.dataset.careRows] = [...rows.querySelectorAll('[data-care-row]')].map((row) => {
      const item = {};
      for (const input of row.querySelectorAll('input[name], select[name], textarea[name]')) item[input.name] = fieldValue(input);
      return item;
    });
  }
  return record;
}

function clearErrors(form) {
  for (const element of form.querySelectorAll('.error[data-field-error]')) element.remove();
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const summary = form.querySelector('[data-form-errors]');
  if (summary) summary.hidden = true;
}

/** Native constraints (required, min, max, pattern) checked before anything is saved; messages beside the fields. */
function checkFields(form) {
  clearErrors(form);
  let first = null;
  for (const input of form.querySelectorAll('input, select, textarea')) {
    if (input.disabled || input.checkValidity()) continue;
    input.setAttribute('aria-invalid', 'true');
    const message = document.createElement('p');
    message.className = 'error';
    message.dataset.fieldError = '';
    message.id = `${input.id || input.name}-error-${Math.random().toString(36).slice(2, 8)}`;
    message.textContent = input.validity.valueMissing ? (input.dataset.required || t('required')) : (input.dataset.invalid || input.validationMessage);
    (input.closest('.field, label, fieldset') || input).after(message);
    input.setAttribute('aria-describedby', message.id);
    first = first || input;
  }
  if (first) {
    const summary = form.querySelector('[data-form-errors]');
    if (summary) {
      summary.hidden = false;
      summary.textContent = t('form_errors');
    }
    first.focus();
  }
  return !first;
}

async function submitForm(form, event) {
  event.preventDefault();
  if (!person || !checkFields(form)) return;
  const record = {
    ...recordFrom(form),
    uuid: crypto.randomUUID(),
    kind: form.dataset.careForm,
    ticket: person.ticket,
    recorded_at: new Date().toISOString(),
  };
  const button = form.querySelector('[type="submit"]');
  if (button) button.disabled = true;
  try {
    await careOutbox.queue(record); // on the device first: only now may the page say "saved"
    form.hidden = true;
    const note = $('saved');
    note.hidden = false;
    note.dataset.uuid = record.uuid;
    note.textContent = t('saved');
    await careOutbox.syncNow('saved');
    if (!(await careOutbox.isQueued(record.uuid)) && note.dataset.uuid === record.uuid) note.textContent = t('sent');
  } finally {
    if (button) button.disabled = false;
  }
}

function wireRows(form) {
  form.addEventListener('click', (event) => {
    const add = event.target.closest('[data-care-add-row]');
    if (add) {
      const field = add.dataset.careAddRow;
      const template = form.querySelector(`template[data-care-row-template="${field}"]`);
      const rows = form.querySelector(`[data-care-rows="${field}"]`);
      if (template && rows) {
        const row = template.content.firstElementChild.cloneNode(true);
        rows.append(row);
        const first = row.querySelector('input, select');
        if (first) first.focus();
      }
    }
    const remove = event.target.closest('[data-care-remove-row]');
    if (remove) {
      const row = remove.closest('[data-care-row]');
      if (row && row.parentElement.querySelectorAll('[data-care-row]').length > 1) row.remove();
    }
  });
}

// --- camera -------------------------------------------------------------------------------------------------

function setCameraStatus(key) {
  const element = $('camera-status');
  element.hidden = !key;
  element.textContent = key ? t(key) : '';
}

async function startCamera() {
  camera = camera || new QrCamera($('camera'), (text) => lookUp({ qr_text: text.trim() }));
  const started = await camera.start();
  root.dataset.camera = started;
  $('camera-retry').hidden = started === 'started';
  setCameraStatus(started === 'started' ? (person ? 'camera_paused' : 'camera_ready') : `camera_${started}`);
  if (started === 'started' && person) camera.pause();
}

// --- start --------------------------------------------------------------------------------------------------

$('id-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = event.target.elements.id_number;
  const number = input.value.replace(/\s+/g, '').toUpperCase(); // a card reader may add spaces or a newline
  input.value = number;
  if (!validIdNumber(number)) {
    showError(t('id_invalid'));
    input.focus();
    return;
  }
  lookUp({ id_number: number });
});
$('code-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = event.target.elements.qr_text.value.trim();
  if (!text) {
    showError(t('code_empty'));
    return;
  }
  lookUp({ qr_text: text });
});
$('sms-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (pending) lookUp({ ...pending, sms_code: event.target.elements.sms_code.value.trim() });
});
$('next-person').addEventListener('click', nextPerson);
$('camera-retry').addEventListener('click', startCamera);
for (const form of forms) {
  form.hidden = true;
  wireRows(form);
  form.addEventListener('submit', (event) => submitForm(form, event));
}
addEventListener('pagehide', () => { if (camera) camera.stop(); });
addEventListener('pageshow', (event) => { if (event.persisted) startCamera(); });
careOutbox.start();
$('id-form').querySelector('input').focus();
startCamera();
root.dataset.ready = 'true';
