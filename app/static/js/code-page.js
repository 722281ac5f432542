// The code page: show the saved code at once, then refresh it with one conditional request.
// A guardian switches between their own code and each relative's (`?for=<person id>` in the URL);
// each person's code is saved on the device under its own key, with its own times.
import { site } from './device.js';
import { SELF, refreshCode, savedCode } from './health-code.js';
import { clockText, dateTime, hourMinute, isoDay } from './local-time.js';
import { checkinOutbox } from './outbox-panel.js';
import { findPerson, normalise, personFromUrl, personLabel, refreshPeople, savedPeople, urlFor } from './people.js';
import { drawQr } from './qr.js';
import { t } from './strings.js';

const root = document.querySelector('[data-health-code]');
const $ = (name) => root.querySelector(`[data-${name}]`);
const switcher = document.querySelector('[data-person-switcher]');
let person = personFromUrl(); // whose code the page is for: SELF or a relative's person id
let people = []; // the last known list from /api/people
let shown = null; // the entry on screen: {code, saved_at, checked_at}
let turn = 0; // bumped on every switch, so a slow answer for the previous person is dropped
let unloading = false;

function setText(name, text) {
  const element = $(name);
  if (element) element.textContent = text;
}

function epochText(seconds) {
  return seconds ? dateTime(seconds * 1000) : t('never');
}

function renderCode(entry) {
  const { code } = entry;
  const drawnJti = shown && shown.code.jti;
  shown = entry;
  root.dataset.state = 'code';
  root.dataset.colour = code.colour;
  setText('colour-word', t(`colour_${code.colour}`));
  setText('masked-name', code.masked_name);
  setText('issued-at', epochText(code.issued_at));
  setText('expires-at', epochText(code.expires_at));
  setText('last-checkin', epochText(code.last_checkin_at));
  setText('checked-at', dateTime(entry.checked_at));
  const canvas = $('qr');
  if (drawnJti !== code.jti) drawQr(canvas, code.qr_text);
  const colour = t(`colour_${code.colour}`);
  canvas.setAttribute('aria-label', person === SELF ? t('qr_label', { colour })
    : t('qr_label_relative', { colour, name: code.masked_name }));
  if (person !== SELF) setText('code-title', t('relative_code_title', { name: relativeName() }));
  renderReasons(code);
  renderExpiry();
  $('code-message').hidden = true;
}

function renderReasons(code) {
  const box = $('reasons');
  const hasReasons = code.colour !== 'green' && code.reasons.length > 0;
  box.hidden = !hasReasons;
  $('reason-list').replaceChildren(...code.reasons.map((reason) => {
    const item = document.createElement('li');
    item.className = `reason reason-${reason.colour}`;
    const text = document.createElement('strong');
    text.textContent = reason.text;
    const guidance = document.createElement('p');
    guidance.textContent = reason.guidance;
    item.append(text, guidance);
    return item;
  }));
  const recovery = $('recovery');
  recovery.hidden = !code.may_turn_green_on;
  recovery.textContent = code.may_turn_green_on ? t('may_turn_green', { date: code.may_turn_green_on }) : '';
  const streak = $('streak');
  streak.hidden = !code.needed_streak;
  streak.textContent = code.needed_streak ? t('streak', { streak: code.healthy_streak, needed: code.needed_streak }) : '';
}

function renderExpiry() {
  if (!shown) return;
  const expired = shown.code.expires_at * 1000 <= Date.now();
  root.classList.toggle('is-expired', expired);
  const notice = $('expired');
  notice.hidden = !expired;
  if (expired) notice.textContent = t('expired', { time: dateTime(shown.code.expires_at * 1000) });
}

/** The badge says the code on screen is the saved copy, and since when. */
function showBadge(kind) {
  const badge = $('offline-badge');
  if (!kind || !shown) {
    badge.hidden = true;
    return;
  }
  badge.hidden = false;
  badge.dataset.kind = kind;
  badge.textContent = t(kind === 'offline' ? 'offline_badge' : 'stale_badge', { time: hourMinute(shown.checked_at) });
}

function showMessage(text, action) {
  const box = $('code-message');
  box.hidden = false;
  setText('code-message-text', text);
  const link = $('code-action');
  link.hidden = !action;
  if (action) {
    link.href = action.href;
    link.textContent = action.label;
  }
}

const ACTIONS = {
  no_declaration: () => (person === SELF ? { href: site.pages.checkin, label: t('declare_action') }
    : { href: urlFor(person, site.pages.checkin), label: t('checkin_relative') }),
  profile_required: () => ({ href: '/profile', label: t('profile_action') }),
};

/** "张*宝 (child)" from the people list, else the masked name on the code shown (a list not yet fetched). */
function relativeName() {
  const entry = findPerson(people, person);
  if (entry) return personLabel(entry);
  return shown ? shown.code.masked_name : '';
}

function errorMessage(error) {
  if (person !== SELF && error.error === 'no_declaration') return t('relative_no_declaration', { name: relativeName() });
  return error.message || t('server_error');
}

async function refresh() {
  const asked = turn;
  const result = await refreshCode(person);
  if (asked !== turn) return; // the user switched to someone else meanwhile
  if (result.entry) renderCode(result.entry);
  switch (result.status) {
    case 'fresh':
    case 'current':
      showBadge(null);
      break;
    case 'offline':
      showBadge('offline');
      if (!result.entry) showMessage(t('no_saved_code'));
      break;
    case 'signed_out':
      showBadge('stale');
      showMessage(t('signed_out'), { href: '/auth/sign-in', label: t('sign_in_action') });
      break;
    default: {
      showBadge('stale');
      const error = result.error || {};
      const action = ACTIONS[error.error] && ACTIONS[error.error]();
      if (!result.entry || action) showMessage(errorMessage(error), action);
    }
  }
  root.dataset.source = result.status;
}

function tick() {
  const now = new Date();
  setText('clock', clockText(now));
  setText('today', isoDay(now));
  renderExpiry();
}

/** Empty the code area (before another person's code is shown: never one person's code under another's name). */
function clearCode() {
  shown = null;
  root.dataset.state = 'loading';
  delete root.dataset.colour;
  root.classList.remove('is-expired');
  setText('colour-word', '…');
  setText('masked-name', '');
  for (const name of ['issued-at', 'expires-at', 'last-checkin', 'checked-at']) setText(name, '–');
  const canvas = $('qr');
  canvas.width = canvas.height = 1;
  canvas.style.width = canvas.style.height = '';
  canvas.removeAttribute('aria-label');
  for (const name of ['reasons', 'expired', 'offline-badge', 'code-message']) $(name).hidden = true;
}

/** Everything on the page that depends on whose code it is (not the code itself). */
function renderPerson() {
  const relative = person !== SELF;
  root.dataset.person = relative ? String(person) : 'self';
  $('proxy-mark').hidden = !relative;
  setText('code-title', relative ? t('relative_code_title', { name: relativeName() }) : t('own_code_title'));
  setText('reasons-title', relative ? t('reasons_title_relative') : t('reasons_title'));
  const checkin = $('checkin-link');
  checkin.href = urlFor(person, site.pages.checkin);
  checkin.textContent = relative ? t('checkin_relative') : t('checkin_self');
  renderSwitcher();
}

/** One big button per person; hidden for a resident without relatives. */
function renderSwitcher() {
  const choices = people.length ? people : [{ id: null, masked_name: '', relationship: 'self' }];
  switcher.hidden = choices.length < 2 && person === SELF;
  switcher.querySelector('[data-person-list]').replaceChildren(...choices.map((entry) => {
    const key = entry.relationship === 'self' ? SELF : entry.id;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button person-choice';
    button.dataset.person = key === SELF ? 'self' : String(key);
    button.dataset.relationship = entry.relationship;
    button.setAttribute('aria-pressed', String(key === person));
    button.textContent = personLabel(entry);
    button.addEventListener('click', () => { if (key !== person) show(key, { push: true }); });
    return button;
  }));
}

/** Show `next`'s code: the saved copy at once, then one conditional request. */
async function show(next, { push = false, replace = false } = {}) {
  turn += 1;
  const asked = turn;
  person = next;
  if (push) history.pushState(null, '', urlFor(person));
  if (replace) history.replaceState(null, '', urlFor(person));
  clearCode();
  renderPerson();
  const entry = await savedCode(person);
  if (asked !== turn) return;
  if (entry) {
    renderCode(entry);
    if (!navigator.onLine) showBadge('offline');
  } else {
    showMessage(navigator.onLine ? t('loading') : t('no_saved_code'));
  }
  await refresh();
}

/** Take a people list. Resolves true when the page's person changed: a link named the resident's own id. */
function loadPeople(list) {
  people = list;
  const same = normalise(person, people);
  if (same === person) {
    renderPerson();
    return false;
  }
  person = same;
  return true;
}

/** Online: bring every other person's saved code up to date too, so all of them open offline. */
async function refreshOthers() {
  for (const entry of people) {
    const key = entry.relationship === 'self' ? SELF : entry.id;
    if (key !== person && navigator.onLine) await refreshCode(key);
  }
}

async function refreshAll() {
  const answer = await refreshPeople();
  if (answer.status === 'fresh' && loadPeople(answer.people)) await show(person, { replace: true });
  else await refresh();
  if (answer.status === 'fresh') await refreshOthers();
}

async function start() {
  tick();
  setInterval(tick, 1000);
  const replace = loadPeople(await savedPeople());
  const peopleAnswer = refreshPeople();
  await show(person, { replace });
  const answer = await peopleAnswer;
  if (answer.status === 'fresh') {
    if (loadPeople(answer.people)) await show(person, { replace: true });
    await refreshOthers();
  }
  addEventListener('pagehide', () => { unloading = true; });
  addEventListener('pageshow', () => { unloading = false; });
  addEventListener('popstate', () => show(normalise(personFromUrl(), people)));
  addEventListener('online', () => { if (!unloading && navigator.onLine) refreshAll(); });
  addEventListener('offline', () => showBadge('offline'));
  checkinOutbox.onSynced((summary) => { if (summary.stored) refresh(); });
}

start();
