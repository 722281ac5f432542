// The public information page: how old this copy is (the service worker serves the last one offline), and
// making sure the worker holds a copy from the first visit on (before it controlled any page).
import { site } from './device.js';
import { dateTime } from './local-time.js';
import { t } from './strings.js';

const UPDATE_MS = 30 * 1000;
const root = document.querySelector('[data-info]');
const generatedAt = Number(root.dataset.generatedAt) * 1000;

function ageText(nowMs) {
  const minutes = Math.max(0, Math.floor((nowMs - generatedAt) / 60000));
  if (minutes < 1) return t('age_just_now');
  if (minutes < 60) return t('age_minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('age_hours', { n: hours });
  return t('age_days', { n: Math.floor(hours / 24) });
}

function render() {
  const now = Date.now();
  const values = { time: dateTime(generatedAt), age: ageText(now) };
  root.querySelector('[data-info-age]').textContent = t('age_updated', values);
  const offline = root.querySelector('[data-info-offline]');
  offline.hidden = navigator.onLine;
  offline.textContent = navigator.onLine ? '' : t('age_offline', values);
  root.dataset.offline = String(!navigator.onLine);
}

/** Whether the worker holds a copy of this page (shown, so people know they can read it offline). */
async function showKept() {
  const cached = await (await caches.open(site.PUBLIC_CACHE)).match(site.pages.info);
  root.querySelector('[data-info-kept]').hidden = !cached;
  root.dataset.kept = String(Boolean(cached));
}

/** A page the worker did not serve (a first visit, before it was in control) was not kept: ask it to fetch
 *  and keep a copy now, so the page opens offline from then on; it answers once the copy is stored. */
async function keepCopy() {
  if (!('serviceWorker' in navigator) || !('caches' in self)) return;
  const servedByWorker = Boolean(navigator.serviceWorker.controller);
  const registration = await navigator.serviceWorker.ready;
  const cached = await (await caches.open(site.PUBLIC_CACHE)).match(site.pages.info);
  if (navigator.onLine && (!cached || !servedByWorker) && registration.active) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'PUBLIC_CACHED') showKept();
    });
    registration.active.postMessage({ type: 'CACHE_PUBLIC' });
  } else {
    await showKept();
  }
}

render();
addEventListener('online', render);
addEventListener('offline', render);
setInterval(render, UPDATE_MS);
keepCopy().catch(() => {});
