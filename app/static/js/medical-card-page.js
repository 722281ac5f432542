// The 就医码 page: a short-lived QR from GET /api/medical-card[?for=<relative>], drawn on screen and replaced by the
// next one before it expires. It is resolved online by the clinic, so it is never saved on the device: offline,
// hidden or failing, the page shows no QR and says why (a stale medical QR would only fail at the counter).
import { site } from './device.js';
import { findPerson, normalise, personFromUrl, personLabel, refreshPeople, savedPeople, SELF, urlFor } from './people.js';
import { drawQr } from './qr.js';
import { t } from './strings.js';

const root = document.querySelector('[data-medical-card]');
const $ = (name) => root.querySelector(`[data-${name}]`);
const switcher = document.querySelector('[data-person-switcher]');
let person = personFromUrl();
let people = [];
let turn = 0; // bumped for every request and switch: a late answer for an earlier one is dropped
let renewTimer = null;
let expiryTimer = null;
let tickTimer = null;
let expiresAt = 0; // device time (ms) at which the QR on screen stops working

function cardUrl() {
  return person === SELF ? site.api.medicalCard : `${site.api.medicalCard}?for=${encodeURIComponent(person)}`;
}

function stopTimers() {
  clearTimeout(renewTimer);
  clearTimeout(expiryTimer);
  clearInterval(tickTimer);
  renewTimer = expiryTimer = tickTimer = null;
}

/** No QR on screen (switching, offline, expired, refused). */
function clearCard(state) {
  stopTimers();
  root.dataset.state = state;
  const canvas = $('qr');
  canvas.width = canvas.height = 1;
  canvas.style.width = canvas.style.height = '';
  canvas.removeAttribute('aria-label');
  $('valid').textContent = '';
  expiresAt = 0;
}

function showMessage(text, { retry = false, action = null, network = false } = {}) {
  const note = $('network-note');
  note.hidden = !network;
  note.textContent = network ? text : '';
  const message = $('card-message');
  message.textContent = network ? '' : text;
  message.hidden = network || !text;
  $('card-actions').hidden = !retry && !action;
  $('retry').hidden = !retry;
  const link = $('card-action');
  link.hidden = !action;
  if (action) {
    link.href = action.href;
    link.textContent = action.label;
  }
}

function offline() {
  clearCard('offline');
  showMessage(t('needs_network'), { retry: true, network: true });
}

function relativeName() {
  const entry = findPerson(people, person);
  return entry ? personLabel(entry) : '';
}

function tick() {
  const left = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
  const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  $('valid').textContent = t('valid_for', { time });
}

function render(card) {
  stopTimers();
  root.dataset.state = 'card';
  showMessage('');
  $('masked-name').textContent = card.masked_name;
  const canvas = $('qr');
  drawQr(canvas, card.qr_text);
  canvas.setAttribute('aria-label', t('qr_label', { name: card.masked_name }));
  // Durations from the server's own times, so a phone whose clock is off still renews in time.
  const lifetime = Math.max(1, card.expires_at - card.issued_at) * 1000;
  expiresAt = Date.now() + lifetime;
  tick();
  tickTimer = setInterval(tick, 1000);
  renewTimer = setTimeout(load, Math.min(card.refresh_in * 1000, lifetime));
  expiryTimer = setTimeout(() => {
    clearCard('expired');
    showMessage(t('renewing'), { retry: true });
    load();
  }, lifetime);
}

async function load() {
  const asked = ++turn;
  if (!navigator.onLine) {
    offline();
    return;
  }
  if (root.dataset.state !== 'card') showMessage(t('loading'));
  let response;
  try {
    response = await fetch(cardUrl(), { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    if (asked === turn) offline();
    return;
  }
  if (asked !== turn) return;
  const isJson = (response.headers.get('Content-Type') || '').includes('application/json');
  const body = isJson && !response.redirected ? await response.json().catch(() => null) : null;
  if (asked !== turn) return;
  if (response.ok && body && typeof body.qr_text === 'string' && body.expires_at > body.issued_at) {
    render(body);
    return;
  }
  clearCard('error');
  if (response.redirected || response.status === 401) {
    showMessage(t('signed_out'), { action: { href: '/auth/sign-in', label: t('sign_in_action') } });
  } else if (body && body.error === 'profile_required') {
    showMessage(body.message, { action: { href: '/profile', label: t('profile_action') } });
  } else {
    showMessage((body && body.message) || t('server_error'), { retry: response.status >= 500 || response.status === 429 });
  }
}

function renderPerson() {
  const relative = person !== SELF;
  $('card-title').textContent = relative ? t('relative_title', { name: relativeName() }) : t('own_title');
  for (const link of root.querySelectorAll('[data-for-link]')) link.href = urlFor(person, link.href);
  const choices = people.length ? people : [];
  switcher.hidden = choices.length < 2;
  switcher.querySelector('[data-person-list]').replaceChildren(...choices.map((entry) => {
    const key = entry.relationship === 'self' ? SELF : entry.id;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button person-choice';
    button.setAttribute('aria-pressed', String(key === person));
    button.textContent = personLabel(entry);
    button.addEventListener('click', () => {
      if (key === person) return;
      person = key;
      history.pushState(null, '', urlFor(person));
      show();
    });
    return button;
  }));
}

function show() {
  clearCard('loading');
  $('masked-name').textContent = '';
  renderPerson();
  load();
}

async function start() {
  people = await savedPeople();
  person = normalise(person, people);
  show();
  refreshPeople().then((answer) => {
    if (answer.status !== 'fresh') return;
    people = answer.people;
    person = normalise(person, people);
    renderPerson();
  });
  $('retry').addEventListener('click', () => load());
  addEventListener('offline', offline);
  addEventListener('online', () => load());
  addEventListener('popstate', () => {
    person = normalise(personFromUrl(), people);
    show();
  });
  // A hidden page renews nothing (and shows nothing stale when it comes back).
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      turn += 1;
      clearCard('loading');
    } else {
      load();
    }
  });
}

start();
