// The declaration / daily check-in form: build the record, queue it on the device FIRST,
// say "saved", then try to send it; after delivery fetch the new code and go to the code page.
// With `?for=<person id>` a guardian checks in for a relative: the record carries `subject`.
import { db, site } from './device.js';
import { refreshCode } from './health-code.js';
import { isoDay, shiftDay } from './local-time.js';
import { checkinOutbox } from './outbox-panel.js';
import { choosePlace, enhancePlaces } from './place-picker.js';
import { SELF, findPerson, normalise, personFromUrl, personLabel, refreshPeople, savedPeople, urlFor } from './people.js';
import { t } from './strings.js';

const form = document.querySelector('[data-checkin-form]');
const visitRows = form.querySelector('[data-visit-rows]');
const visitTemplate = document.querySelector('template[data-visit-template]');
const arrivalToggle = form.elements.arrived;
const arrivalFields = form.querySelector('[data-arrival-fields]');
const status = form.querySelector('[data-submit-status]');
const submitButton = form.querySelector('[type="submit"]');
const FIELDS = ['district', 'temperature', 'symptoms', 'visits', 'contact_with_cases', 'arrival'];
let lastRejectedUuid = null;
let person = personFromUrl(); // SELF or the relative's person id

function dayLimits() {
  const today = isoDay();
  return { min: shiftDay(today, -13), max: today };
}

function applyDayLimits(scope) {
  const { min, max } = dayLimits();
  for (const input of scope.querySelectorAll('input[type="date"]')) {
    input.min = min;
    input.max = max;
  }
}

function addVisitRow() {
  const row = visitTemplate.content.firstElementChild.cloneNode(true);
  applyDayLimits(row);
  row.querySelector('[data-remove-visit]').addEventListener('click', () => {
    row.remove();
    renumberVisits();
  });
  visitRows.append(row);
  enhancePlaces(row);
  renumberVisits();
  row.querySelector('select').focus();
}

function renumberVisits() {
  [...visitRows.children].forEach((row, index) => {
    row.querySelector('[data-visit-number]').textContent = String(index + 1);
  });
}

function showArrival() {
  arrivalFields.hidden = !arrivalToggle.checked;
  for (const element of arrivalFields.querySelectorAll('select, input')) element.required = arrivalToggle.checked;
}

function clearErrors() {
  for (const element of form.querySelectorAll('[data-error-for]')) {
    element.hidden = true;
    element.textContent = '';
  }
  for (const element of form.querySelectorAll('[data-field]')) element.classList.remove('has-error');
  for (const element of form.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
}

/** Put each message next to its field (unknown fields go to the form's own error line). */
function showErrors(errors) {
  let first = null;
  for (const [field, message] of Object.entries(errors)) {
    const name = FIELDS.includes(field) ? field : 'record';
    const target = form.querySelector(`[data-error-for="${name}"]`);
    target.hidden = false;
    target.textContent = target.textContent ? `${target.textContent} ${message}` : message;
    const wrapper = form.querySelector(`[data-field="${name}"]`);
    if (wrapper) {
      wrapper.classList.add('has-error');
      for (const control of wrapper.querySelectorAll('input, select')) control.setAttribute('aria-invalid', 'true');
    }
    first = first || wrapper || target;
  }
  if (first) first.scrollIntoView({ block: 'center' });
}

/** Checks the browser can make before queueing (the server checks everything again). */
function checkLocally(record) {
  const errors = {};
  if (!record.district) errors.district = t('error_district');
  if (!Number.isFinite(record.temperature) || record.temperature < Number(form.elements.temperature.min) || record.temperature > Number(form.elements.temperature.max)) errors.temperature = t('error_temperature');
  if (record.contact_with_cases === null) errors.contact_with_cases = t('error_contact');
  if (record.visits.some((visit) => !visit.district || !visit.day)) errors.visits = t('error_visits');
  if (record.arrival && (!record.arrival.from_district || !record.arrival.day || !record.arrival.transport)) errors.arrival = t('error_arrival');
  return errors;
}

function buildRecord() {
  const elements = form.elements;
  const contact = form.querySelector('input[name="contact_with_cases"]:checked');
  const temperature = elements.temperature.value.trim().replace(',', '.');
  return {
    uuid: crypto.randomUUID(),
    ...(person === SELF ? {} : { subject: person }),
    checked_at: new Date().toISOString(),
    district: elements.district.value,
    temperature: temperature === '' ? NaN : Number(temperature),
    symptoms: [...form.querySelectorAll('input[name="symptoms"]:checked')].map((box) => box.value),
    visits: [...visitRows.children].map((row) => ({
      district: row.querySelector('select[name="visit_district"]').value,
      day: row.querySelector('input[name="visit_day"]').value,
    })),
    contact_with_cases: contact ? contact.value === 'yes' : null,
    arrival: arrivalToggle.checked ? {
      from_district: elements.arrival_from.value,
      day: elements.arrival_day.value,
      transport: elements.arrival_transport.value,
    } : null,
  };
}

function say(text, kind) {
  status.hidden = false;
  status.dataset.kind = kind;
  status.textContent = text;
}

/** Tell the user where the record is now: still queued, rejected (errors by the fields) or delivered. */
async function afterSync(record) {
  const [queued, rejected] = await Promise.all([db.outboxEntries(), db.rejectedEntries()]);
  if (queued.some((entry) => entry.uuid === record.uuid)) {
    say(t('saved_pending'), 'pending');
    return;
  }
  const rejection = rejected.find((entry) => entry.uuid === record.uuid);
  if (rejection) {
    lastRejectedUuid = record.uuid;
    const errors = rejection.status === 'conflict' ? { record: t('rejected_conflict') } : rejection.errors;
    showErrors(Object.keys(errors || {}).length ? errors : { record: t('rejected_invalid') });
    say(t('not_accepted'), 'error');
    return;
  }
  say(t(person === SELF ? 'sent' : 'sent_relative'), 'done');
  await refreshCode(person);
  location.assign(urlFor(person, site.pages.code));
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  const record = buildRecord();
  const errors = checkLocally(record);
  if (Object.keys(errors).length) {
    showErrors(errors);
    return;
  }
  submitButton.disabled = true;
  try {
    await checkinOutbox.queue(record);
    if (lastRejectedUuid) await checkinOutbox.dismissRejected(lastRejectedUuid);
    lastRejectedUuid = null;
    await db.setPref(districtPref(), record.district);
    say(t('saved_pending'), 'pending');
  } catch (error) {
    say(t('not_saved'), 'error');
    submitButton.disabled = false;
    return;
  }
  try {
    await checkinOutbox.syncNow('submit');
    await afterSync(record);
  } finally {
    submitButton.disabled = false;
  }
}

/** The last district answered, remembered per person (a parent may live elsewhere). */
function districtPref() {
  return person === SELF ? 'district' : `district:${person}`;
}

/** Say for whom this check-in is, from the people list (a link may name the resident's own id: then no line). */
function showPerson(people) {
  const same = normalise(person, people);
  if (same !== person) {
    person = same;
    history.replaceState(null, '', urlFor(person));
  }
  const line = document.querySelector('[data-checkin-for]');
  line.hidden = person === SELF;
  const entry = findPerson(people, person);
  line.textContent = person === SELF ? '' : t('checkin_for', { name: entry ? personLabel(entry) : t('unknown_relative') });
  line.dataset.person = person === SELF ? 'self' : String(person);
}

async function start() {
  showPerson(await savedPeople());
  const peopleAnswer = refreshPeople().then((answer) => {
    if (answer.status === 'fresh') showPerson(answer.people);
  });
  applyDayLimits(form);
  form.querySelector('[data-add-visit]').addEventListener('click', addVisitRow);
  arrivalToggle.addEventListener('change', showArrival);
  showArrival();
  form.addEventListener('submit', submit);
  const district = (await db.pref(districtPref())) || (await db.pref('district'));
  if (district && !form.elements.district.value) await choosePlace(form.elements.district, district);
  await peopleAnswer;
}

start();
