// The code page: show the saved code at once, then refresh it with one conditional request.
import { refreshCode, savedCode } from './health-code.js';
import { clockText, dateTime, hourMinute, isoDay } from './local-time.js';
import { onSynced } from './outbox-panel.js';
import { drawQr } from './qr.js';
import { t } from './strings.js';

const root = document.querySelector('[data-health-code]');
const $ = (name) => root.querySelector(`[data-${name}]`);
let shown = null; // the entry on screen: {code, saved_at, checked_at}
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
  canvas.setAttribute('aria-label', t('qr_label', { colour: t(`colour_${code.colour}`) }));
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
  no_declaration: () => ({ href: '/checkin', label: t('declare_action') }),
  profile_required: () => ({ href: '/profile', label: t('profile_action') }),
};

async function refresh() {
  const result = await refreshCode();
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
      if (!result.entry || action) showMessage(error.message || t('server_error'), action);
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

async function start() {
  tick();
  setInterval(tick, 1000);
  const entry = await savedCode();
  if (entry) {
    renderCode(entry);
    if (!navigator.onLine) showBadge('offline');
  } else {
    showMessage(t('loading'));
  }
  await refresh();
  addEventListener('pagehide', () => { unloading = true; });
  addEventListener('pageshow', () => { unloading = false; });
  addEventListener('online', () => { if (!unloading && navigator.onLine) refresh(); });
  addEventListener('offline', () => showBadge('offline'));
  onSynced((summary) => { if (summary.stored) refresh(); });
}

start();
