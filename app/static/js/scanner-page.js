// The warden's gate scanner: camera or typed code -> verified on the device with the cached trust bundle
// (never waiting on the network) -> result screen -> record queued in IndexedDB first -> sent when possible.
import { QrCamera } from './camera.js';
import { policyInForce, STATUSES, underPolicy } from './checkpoint-policy.js';
import { idOnlyVerdict, verifyCode } from './code-verify.js';
import { freshCsrfToken, site } from './device.js';
import { validIdNumber } from './id-number.js';
import { dateTime } from './local-time.js';
import { createResultScreen } from './scan-result.js';
import { scanOutbox } from './outbox-panel.js';
import { setting, t } from './strings.js';
import { bundleAge, clockProblems, refreshTrust, savedClockOffset, savedTrust } from './trust-bundle.js';

const TRUST_REFRESH_MS = 5 * 60 * 1000;
const SCREEN_UPDATE_MS = 30 * 1000;

const issuer = setting('issuer');
const checkpoint = setting('checkpoint'); // {kind, district}: which policy of the bundle this gate follows
const root = document.querySelector('[data-scanner]');
const $ = (name) => root.querySelector(`[data-${name}]`);
const codeForm = $('code-form');
const idForm = $('id-form');
const recent = []; // scans recorded while this page is open: what the warden may follow up (no ID numbers)
let trust = null;
let clock = null;
let trustProblem = null;
let unloading = false;
let camera = null;

const resultScreen = createResultScreen(document.querySelector('[data-scan-result]'), {
  onRecord: record,
  onClose: () => {
    if (camera) camera.resume();
    setCameraStatus(camera ? 'camera_ready' : null);
  },
});

// --- trust bundle and clock -----------------------------------------------------------------------

function hoursText(hours) {
  return hours < 10 ? hours.toFixed(1) : String(Math.round(hours));
}

function ageText(age) {
  return trust ? t(`age_${age.level}`, { time: dateTime(trust.iat * 1000), hours: hoursText(age.hours) }) : t('age_none');
}

function renderTrust() {
  const now = Date.now();
  const age = bundleAge(trust, now);
  const element = $('trust-age');
  element.dataset.level = age.level;
  element.textContent = ageText(age);
  if (trustProblem) element.textContent += ` ${t('trust_rejected')}`;
  renderPolicy(now);
  const warnings = clockProblems(trust, clock, now).map((problem) => t(`clock_${problem.kind}`, { minutes: Math.abs(problem.minutes || 0) }));
  const warning = $('clock-warning');
  warning.hidden = warnings.length === 0;
  warning.textContent = warnings.join(' ');
}

async function refreshBundle() {
  const answer = await refreshTrust(issuer);
  if (answer.status === 'fresh') {
    trust = answer.trust;
    clock = await savedClockOffset();
    trustProblem = null;
  } else if (answer.status === 'rejected') {
    trustProblem = answer.reason; // the last good bundle stays in use
  }
  root.dataset.trust = answer.status;
  renderTrust();
}

// --- the checkpoint's policy -----------------------------------------------------------------------

function stepText(step) {
  if (step.action === 'channel') return t('action_channel', { to: step.text || t('channel_default') });
  if (step.action === 'note') return step.text ? t('action_note_text', { text: step.text }) : t('action_note');
  return t(`action_${step.action}`);
}

/** What this scanner shows for each kind of code here, now; or, plainly, that codes are not checked. */
function renderPolicy(now = Date.now()) {
  const policy = policyInForce(trust, checkpoint, now / 1000);
  const element = $('policy');
  element.dataset.checking = String(policy.checking);
  element.dataset.policy = policy.id === null ? 'default' : String(policy.id);
  element.textContent = policy.checking
    ? t('policy_rules', { rules: STATUSES.map((status) => `${t(`status_${status}`)}: ${stepText(policy.steps[status])}`).join('; ') })
    : t('policy_off');
}

/** A judged code as this gate shows it: under the policy the bundle gives this checkpoint at `atMs`. */
function decided(verdict, atMs) {
  return underPolicy(verdict, policyInForce(trust, checkpoint, atMs / 1000));
}

// --- judging a code, an ID number -----------------------------------------------------------------

function present(scan) {
  if (camera) camera.pause();
  setCameraStatus('camera_paused');
  const age = bundleAge(trust);
  resultScreen.show(scan, age.level, ageText(age));
}

async function judgeText(text, source) {
  const at = Date.now();
  const verdict = decided(await verifyCode(text, trust, at / 1000), at);
  present({ uuid: crypto.randomUUID(), at, qr_text: text.trim(), id_number: null, verdict, source });
}

/**
 * Online: the server answers with the person's colour (audited there). Offline, or no usable answer:
 * "unverified / id_only" and the server checks the record on sync. A 4xx answer is a message to show.
 */
async function lookUpIdNumber(number) {
  if (!navigator.onLine) return { verdict: idOnlyVerdict(trust) };
  let response;
  try {
    const token = await freshCsrfToken();
    if (!token) throw new Error('no CSRF token');
    response = await fetch(site.api.idLookup, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify({ id_number: number }),
    });
  } catch (error) {
    return { verdict: idOnlyVerdict(trust) };
  }
  const isJson = (response.headers.get('Content-Type') || '').includes('application/json');
  const body = isJson && !response.redirected ? await response.json().catch(() => null) : null;
  if (response.ok && body && body.result) {
    const verdict = idOnlyVerdict(trust);
    return {
      verdict: { ...verdict, result: body.result, reason: body.reason, colour: body.colour || null, masked_name: body.masked_name || null },
    };
  }
  if (response.status >= 400 && response.status < 500 && response.status !== 401 && body && body.message) {
    return { error: body.message };
  }
  return { verdict: idOnlyVerdict(trust) };
}

async function checkIdNumber(event) {
  event.preventDefault();
  const input = idForm.elements.id_number;
  const error = $('id-error');
  const number = input.value.replace(/\s+/g, '').toUpperCase();
  error.hidden = true;
  if (!validIdNumber(number)) {
    error.hidden = false;
    error.textContent = t('id_invalid');
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  input.removeAttribute('aria-invalid');
  const button = idForm.querySelector('[type="submit"]');
  button.disabled = true;
  const at = Date.now();
  try {
    const answer = await lookUpIdNumber(number);
    if (answer.error) {
      error.hidden = false;
      error.textContent = answer.error;
      return;
    }
    input.value = ''; // from here on the number lives only in the scan on screen, then in its queued record
    present({ uuid: crypto.randomUUID(), at, qr_text: null, id_number: number, verdict: decided(answer.verdict, at), source: 'id' });
  } finally {
    button.disabled = false;
  }
}

async function checkTypedCode(event) {
  event.preventDefault();
  const field = codeForm.elements.qr_text;
  const error = $('code-error');
  const text = field.value.trim();
  error.hidden = !!text;
  error.textContent = text ? '' : t('code_empty');
  if (!text) return;
  field.value = '';
  await judgeText(text, 'text');
}

// --- recording ------------------------------------------------------------------------------------

/** Queue the record on the device; resolves true only once IndexedDB holds it. */
async function record(scan, fields) {
  const { verdict } = scan;
  const entry = {
    uuid: scan.uuid,
    scanned_at: new Date(scan.at).toISOString(),
    qr_text: scan.qr_text,
    id_number: scan.id_number,
    offline: {
      result: verdict.result, reason: verdict.reason, colour: verdict.colour, bundle_iat: verdict.bundle_iat,
      action: verdict.action, policy: verdict.policy,
    },
    direction: fields.direction,
    outcome: fields.outcome,
    reason: fields.reason,
    temperature: fields.temperature,
    plate: fields.plate,
  };
  try {
    await scanOutbox.queue(entry);
  } catch (error) {
    return false;
  }
  scan.id_number = null; // the queued record is now the only place that holds it
  recent.unshift({
    uuid: scan.uuid, at: scan.at, source: scan.source, direction: fields.direction, outcome: fields.outcome,
    colour: verdict.colour, masked_name: verdict.masked_name, result: verdict.result, state: 'pending', server: null,
  });
  recent.splice(20);
  renderRecent();
  if (navigator.onLine) scanOutbox.syncNow('record');
  return true;
}

function recentLine(entry) {
  const who = entry.masked_name || t(entry.source === 'id' ? 'id_person' : 'no_name');
  const colour = entry.colour ? t(`colour_${entry.colour}`) : '';
  return [dateTime(entry.at), t(`direction_${entry.direction}`), t(`outcome_${entry.outcome}`), who, colour,
    t(`verdict_${entry.result}`)]
    .filter(Boolean).join(' · ');
}

function renderRecent() {
  const box = $('recent');
  box.hidden = recent.length === 0;
  $('recent-list').replaceChildren(...recent.map((entry) => {
    const item = document.createElement('li');
    item.dataset.uuid = entry.uuid;
    item.dataset.state = entry.state;
    const line = document.createElement('span');
    line.textContent = recentLine(entry);
    const state = document.createElement('strong');
    state.className = 'recent-state';
    state.textContent = t(`state_${entry.state}`);
    item.append(line, ' ', state);
    if (entry.server && entry.disagreement) {
      const note = document.createElement('p');
      note.className = 'error';
      const verdict = [entry.server.colour ? t(`colour_${entry.server.colour}`) : '', t(`verdict_${entry.server.result}`),
        t(`reason_${entry.server.reason}`)].filter(Boolean).join(' ');
      note.textContent = t('server_disagrees', { verdict });
      item.append(note);
    }
    if (entry.state === 'sent' && entry.server && entry.server.colour && navigator.onLine) {
      const link = document.createElement('a');
      link.className = 'button trail-link';
      link.href = site.pages.trail + encodeURIComponent(entry.uuid);
      link.dataset.trailLink = '';
      link.textContent = t('trail_link');
      item.append(link);
    }
    return item;
  }));
}

/** After any send (this page or the worker): mark what was delivered, with the server's own verdict. */
async function updateRecent(summary) {
  const delivered = new Map((summary.delivered || []).map((answer) => [answer.uuid, answer]));
  for (const entry of recent.filter((item) => item.state === 'pending')) {
    const answer = delivered.get(entry.uuid);
    if (answer) {
      Object.assign(entry, { state: 'sent', server: answer.server, disagreement: answer.disagreement });
    } else if (!(await scanOutbox.isQueued(entry.uuid))) {
      const rejected = (summary.rejected || []).some((item) => item.uuid === entry.uuid);
      entry.state = rejected ? 'rejected' : 'sent';
    }
  }
  renderRecent();
}

// --- camera ---------------------------------------------------------------------------------------

function setCameraStatus(key) {
  const element = $('camera-status');
  if (key) element.textContent = t(key);
}

async function startCamera() {
  const retry = $('camera-retry');
  retry.hidden = true;
  camera = camera || new QrCamera($('camera'), (text) => judgeText(text, 'camera'));
  const started = await camera.start();
  root.dataset.camera = started;
  if (started === 'started') {
    setCameraStatus(resultScreen.scan ? 'camera_paused' : 'camera_ready');
    if (resultScreen.scan) camera.pause();
  } else {
    setCameraStatus(`camera_${started}`);
    retry.hidden = false;
    $('manual-code').open = true;
  }
}

// --- offline shell ----------------------------------------------------------------------------------

/** Make sure the service worker holds this page, so it opens from the home screen with no signal. */
async function keepScannerReady() {
  if (!('serviceWorker' in navigator) || !('caches' in self)) return;
  const registration = await navigator.serviceWorker.ready;
  const cached = await (await caches.open(site.PAGES_CACHE)).match(site.pages.scanner);
  if (!cached && registration.active) registration.active.postMessage({ type: 'CACHE_SHELL', paths: [site.pages.scanner] });
}

// --- start ------------------------------------------------------------------------------------------

async function start() {
  codeForm.addEventListener('submit', checkTypedCode);
  idForm.addEventListener('submit', checkIdNumber);
  $('camera-retry').addEventListener('click', startCamera);
  scanOutbox.onSynced(updateRecent);
  addEventListener('pagehide', () => {
    unloading = true;
    if (camera) camera.stop();
  });
  addEventListener('beforeunload', () => { unloading = true; });
  addEventListener('pageshow', (event) => {
    unloading = false;
    if (event.persisted) startCamera();
  });
  addEventListener('online', () => {
    if (unloading || !navigator.onLine) return;
    refreshBundle();
    renderRecent();
  });
  addEventListener('offline', renderRecent);

  [trust, clock] = await Promise.all([savedTrust(issuer), savedClockOffset()]);
  renderTrust();
  scanOutbox.start();
  const cameraStarting = startCamera();
  if (navigator.onLine) await refreshBundle();
  root.dataset.state = 'ready';
  setInterval(renderTrust, SCREEN_UPDATE_MS);
  setInterval(() => { if (navigator.onLine && !unloading) refreshBundle(); }, TRUST_REFRESH_MS);
  keepScannerReady().catch(() => {});
  await cameraStarting;
}

start();
