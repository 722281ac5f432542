// The result screen of one scan: a large colour band with 绿码/黄码/红码, 通行 / 禁止通行 / 未核验 and the reason,
// the masked name and expiry, and the record form. Closes itself after a few seconds unless the warden is
// filling in the form. Knows nothing about storage: the page decides what "record" does.
import { dateTime } from './local-time.js';
import { t } from './strings.js';

const SHOW_SECONDS = 8;
const AFTER_RECORD_SECONDS = 3;
const PLATE = /^[\u4e00-\u9fffA-Z0-9·-]{2,16}$/; // the server's rule (app/services/scans.py)

/**
 * `root`: the [data-scan-result] element. `onRecord(scan, fields)` must resolve once the record is safely
 * stored (true) or false if it was not; `onClose(scan)` runs whenever the screen goes away.
 */
export function createResultScreen(root, { onRecord, onClose }) {
  const $ = (name) => root.querySelector(`[data-${name}]`);
  const form = $('record-form');
  const status = $('record-status');
  const countdown = $('result-countdown');
  const band = root.querySelector('.scan-band');
  band.tabIndex = -1;
  let shown = null;
  let timer = null;
  let secondsLeft = 0;
  let holding = false;

  function stopCountdown() {
    clearInterval(timer);
    timer = null;
    countdown.textContent = '';
  }

  function startCountdown(seconds) {
    stopCountdown();
    secondsLeft = seconds;
    countdown.textContent = t('closing_in', { seconds: secondsLeft });
    timer = setInterval(() => {
      secondsLeft -= 1;
      if (secondsLeft <= 0) hide();
      else countdown.textContent = t('closing_in', { seconds: secondsLeft });
    }, 1000);
  }

  /** The warden is filling in the form: the screen stays until they record or close it. */
  function hold() {
    if (holding || !shown || shown.recorded) return;
    holding = true;
    root.dataset.holding = 'true';
    stopCountdown();
  }

  function verdictText(verdict) {
    if (verdict.result === 'channel') return t('channel_to', { to: verdict.text || t('channel_default') });
    return t(`verdict_${verdict.result}`);
  }

  /** The checkpoint policy's note (pass with a note), if any. */
  function noteText(verdict) {
    if (verdict.action !== 'note') return '';
    return verdict.text || t('note_default');
  }

  function reasonText(verdict) {
    if (verdict.result === 'unchecked') return t('reason_unchecked');
    if (verdict.reason === 'unknown_issuer' && verdict.bundle_iat === null) return t('reason_no_bundle');
    return t(`reason_${verdict.reason}`);
  }

  function expiryText(verdict) {
    if (!verdict.exp) return '–';
    const moment = verdict.exp * 1000;
    return t(moment <= Date.now() ? 'expired_at' : 'expires', { time: dateTime(moment) });
  }

  function warningText(verdict, ageLevel) {
    if (verdict.stale || (ageLevel === 'stale' && verdict.result !== 'deny')) return t('stale_result');
    if (ageLevel === 'aging' && verdict.result === 'pass') return t('aging_result');
    return '';
  }

  function clearErrors() {
    for (const element of form.querySelectorAll('[data-error-for]')) {
      element.hidden = true;
      element.textContent = '';
    }
    for (const element of form.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
  }

  function showError(field, message) {
    const target = form.querySelector(`[data-error-for="${field}"]`);
    target.hidden = false;
    target.textContent = message;
    form.elements[field].setAttribute('aria-invalid', 'true');
  }

  /** The form's answers, or null after showing what to correct (the server checks everything again). */
  function readForm() {
    clearErrors();
    const elements = form.elements;
    const reason = elements.reason.value.trim();
    const temperatureText = elements.temperature.value.trim().replace(',', '.');
    const temperature = temperatureText === '' ? null : Number(temperatureText);
    const plate = elements.plate.value.replace(/\s+/g, '').toUpperCase();
    let ok = true;
    if (reason.length > 100) { showError('reason', t('error_reason')); ok = false; }
    if (temperature !== null && !(Number.isFinite(temperature) && temperature >= Number(elements.temperature.min) && temperature <= Number(elements.temperature.max))) {
      showError('temperature', t('error_temperature'));
      ok = false;
    }
    if (plate && !PLATE.test(plate)) { showError('plate', t('error_plate')); ok = false; }
    if (!ok) return null;
    return {
      direction: form.querySelector('input[name="direction"]:checked')?.value || 'in',
      outcome: elements.refused.checked ? 'refused' : 'passed',
      reason,
      temperature: temperature === null ? null : Math.round(temperature * 10) / 10,
      plate: plate || null,
    };
  }

  function resetForm() {
    const direction = form.querySelector('input[name="direction"]:checked')?.value || 'in';
    form.reset();
    form.querySelector(`input[name="direction"][value="${direction}"]`).checked = true; // the gate's usual direction
    clearErrors();
    form.hidden = false;
    for (const control of form.elements) control.disabled = false;
    fixOutcome();
  }

  /** After 禁止通行 the person is refused, whatever else the warden records; otherwise the warden decides. */
  function fixOutcome() {
    const refused = form.elements.refused;
    const denied = Boolean(shown && shown.verdict.result === 'deny');
    if (denied) refused.checked = true;
    refused.disabled = denied || form.hidden;
  }

  /** Put a scan on screen: {verdict, source: "camera"|"text"|"id"} plus the bundle's age (level and text). */
  function show(scan, ageLevel, ageText) {
    shown = scan;
    holding = false;
    delete root.dataset.holding;
    const { verdict } = scan;
    const unchecked = verdict.result === 'unchecked'; // checking is off here: say so, show no colour
    const shownColour = unchecked ? null : verdict.colour;
    root.dataset.colour = shownColour || 'none';
    root.dataset.result = verdict.result;
    root.dataset.reason = verdict.reason;
    root.dataset.action = verdict.action || '';
    root.dataset.state = 'shown';
    const colour = $('result-colour');
    colour.hidden = !shownColour;
    colour.textContent = shownColour ? t(`colour_${shownColour}`) : '';
    $('result-verdict').textContent = verdictText(verdict);
    $('result-reason').textContent = reasonText(verdict);
    const note = $('result-note');
    note.textContent = noteText(verdict);
    note.hidden = !note.textContent;
    $('result-name').textContent = verdict.masked_name || t(scan.source === 'id' ? 'id_person' : 'no_name');
    $('result-expiry').textContent = expiryText(verdict);
    const warning = $('result-warning');
    warning.textContent = warningText(verdict, ageLevel);
    warning.hidden = !warning.textContent;
    const age = $('result-age');
    age.dataset.level = ageLevel;
    age.textContent = ageText;
    status.hidden = true;
    status.textContent = '';
    resetForm();
    root.hidden = false;
    document.body.classList.add('has-scan-result');
    band.focus({ preventScroll: true });
    startCountdown(SHOW_SECONDS);
  }

  function hide() {
    stopCountdown();
    if (!shown) return;
    const scan = shown;
    shown = null;
    holding = false;
    root.hidden = true;
    root.dataset.state = 'hidden';
    document.body.classList.remove('has-scan-result');
    resetForm(); // nothing typed for one person stays for the next
    onClose(scan);
  }

  async function submit(event) {
    event.preventDefault();
    if (!shown || shown.recorded) return;
    hold();
    const fields = readForm();
    if (!fields) return;
    const scan = shown;
    for (const control of form.elements) control.disabled = true;
    const stored = await onRecord(scan, fields);
    if (scan !== shown) return;
    status.hidden = false;
    if (stored) {
      scan.recorded = true;
      root.dataset.state = 'recorded';
      status.dataset.kind = 'done';
      status.textContent = t('recorded');
      form.hidden = true;
      startCountdown(AFTER_RECORD_SECONDS);
    } else {
      status.dataset.kind = 'error';
      status.textContent = t('record_failed');
      for (const control of form.elements) control.disabled = false;
      fixOutcome();
    }
  }

  form.addEventListener('submit', submit);
  form.addEventListener('focusin', hold);
  form.addEventListener('input', hold);
  form.addEventListener('change', hold);
  $('result-close').addEventListener('click', hide);
  root.addEventListener('keydown', (event) => { if (event.key === 'Escape') hide(); });

  return {
    show,
    hide,
    get scan() { return shown; },
  };
}
