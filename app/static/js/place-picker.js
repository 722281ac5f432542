// Place fields. A <select data-place-picker> lists the local area's places and works on its own; this adds a
// button beside it that opens a dialog to search the whole country by name, or to go province → city →
// county in a few taps. The country's list is loaded once, when a place field is on the page, from the
// JSON named in data-places (the service worker precaches it, so it works offline). Choosing a place adds
// it to the <select> and selects it, so the form posts the same 6-digit code as before.
//   data-place-picker="district": a place with nothing under it (where someone is or was)
//   data-place-picker="area":     any province, city or district (each level offers "All of …")

const MAX_RESULTS = 50;
const lists = new Map(); // data URL -> Promise of the parsed list
let dialogCount = 0;

const stylesheet = new URL('../css/places.css', import.meta.url).href;

function addStylesheet() {
  if (document.querySelector(`link[href="${stylesheet}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = stylesheet;
  document.head.append(link);
}

const LANGUAGE = document.documentElement.lang.startsWith('zh') ? 'zh' : 'en';

/** The search key of a text: lower case, without spaces and punctuation; in Chinese also without 省市区县. */
function keys(text) {
  const plain = text.toLowerCase().replace(/[\s'’,，.·-]+/g, '');
  return LANGUAGE === 'zh' ? [plain, plain.replace(/[省市区县]/g, '')] : [plain];
}

function parse(data) {
  const byCode = new Map();
  const roots = [];
  for (const [code, parent, name] of data.places) {
    const above = parent ? byCode.get(parent) : null;
    const full = above ? (LANGUAGE === 'zh' ? above.full + name : `${name}, ${above.full}`) : name;
    const place = { code, parent, name, full, children: [], depth: above ? above.depth + 1 : 0 };
    place.keys = keys(full);
    byCode.set(code, place);
    (above ? above.children : roots).push(place);
  }
  return { byCode, roots };
}

/** The country's list from `url` (fetched once per page; a failed fetch is tried again next time). */
export function loadPlaces(url) {
  if (!lists.has(url)) {
    const list = fetch(url, { credentials: 'same-origin' })
      .then((response) => {
        if (!response.ok) throw new Error(`places: HTTP ${response.status}`);
        return response.json();
      })
      .then(parse);
    list.catch(() => lists.delete(url));
    lists.set(url, list);
  }
  return lists.get(url);
}

/** Places whose full name holds every word of `query` (or whose code begins with its digits), best first:
 *  name starts with it, higher level, code. */
export function search(list, query) {
  const digits = query.replace(/\s+/g, '');
  if (/^\d{2,6}$/.test(digits)) return [...list.byCode.values()].filter((place) => place.code.startsWith(digits));
  const words = query.split(/[\s,，]+/).filter(Boolean).map(keys);
  if (!words.length) return [];
  const found = [];
  for (const place of list.byCode.values()) {
    if (words.every((variants) => variants.some((word) => word && place.keys.some((key) => key.includes(word))))) {
      found.push(place);
    }
  }
  const first = words[0][0];
  const starts = (place) => (keys(place.name)[0].startsWith(first) ? 0 : 1);
  return found.sort((a, b) => starts(a) - starts(b) || a.depth - b.depth || a.code.localeCompare(b.code));
}

function strings(select) {
  try {
    return JSON.parse(select.dataset.placeStrings || '{}');
  } catch (error) {
    return {};
  }
}

function fill(template, values) {
  return String(template || '').replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}

/** Make `code` the select's value, adding its option (full name) when the page did not list it. */
function selectPlace(select, place) {
  let option = [...select.options].find((candidate) => candidate.value === place.code);
  if (!option) {
    option = new Option(place.full, place.code);
    const after = [...select.options].find((candidate) => candidate.value && candidate.value > place.code);
    select.add(option, after || null);
  }
  select.value = place.code;
  select.dispatchEvent(new Event('input', { bubbles: true }));
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Set a place field to `code` (for example a remembered answer) even when the page does not list it.
 *  Resolves true when the field now holds it. */
export async function choosePlace(select, code) {
  if ([...select.options].some((option) => option.value === code)) {
    select.value = code;
    return true;
  }
  if (!select.dataset.places) return false;
  try {
    const place = (await loadPlaces(select.dataset.places)).byCode.get(code);
    if (!place || (select.dataset.placePicker !== 'area' && place.children.length)) return false;
    selectPlace(select, place);
    return true;
  } catch (error) {
    return false;
  }
}

function element(tag, attributes = {}, text = '') {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

/** The dialog of one place field. */
function buildPicker(select) {
  const text = strings(select);
  const kind = select.dataset.placePicker === 'area' ? 'area' : 'district';
  const id = `place-picker-${++dialogCount}`;
  const dialog = element('dialog', { class: 'place-dialog', 'aria-labelledby': `${id}-title`, 'data-place-dialog': kind });
  const head = element('div', { class: 'place-dialog-head' });
  const title = element('h2', { id: `${id}-title`, tabindex: '-1' }, text.title);
  const close = element('button', { type: 'button', class: 'button place-close' }, text.close);
  head.append(title, close);
  const searchLabel = element('label', { for: `${id}-search`, class: 'place-search-label' }, text.search);
  const input = element('input', {
    id: `${id}-search`, type: 'search', autocomplete: 'off', enterkeyhint: 'search', placeholder: text.search_hint || '',
  });
  const path = element('nav', { class: 'place-path', 'aria-label': text.title });
  const status = element('p', { class: 'place-status', role: 'status', 'aria-live': 'polite' });
  const items = element('ul', { class: 'place-list' });
  dialog.append(head, searchLabel, input, path, status, items);
  document.body.append(dialog);

  let list = null;
  let current = null; // the place whose children are shown; null: the provinces

  function choose(place) {
    selectPlace(select, place);
    dialog.close();
    select.focus();
  }

  function button(label, onClick, attributes = {}) {
    const item = element('li');
    const control = element('button', { type: 'button', ...attributes }, label);
    control.addEventListener('click', onClick);
    item.append(control);
    return item;
  }

  function open(place) {
    return place.children.length ? () => show(place) : () => choose(place);
  }

  function placeButton(place, label) {
    const item = button(label, open(place), { 'data-code': place.code });
    if (place.children.length) item.firstChild.append(element('span', { class: 'place-more', 'aria-hidden': 'true' }, '›'));
    return item;
  }

  function showPath() {
    path.replaceChildren();
    const chain = [];
    for (let place = current; place; place = list.byCode.get(place.parent)) chain.unshift(place);
    const crumbs = [[null, text.country], ...chain.map((place) => [place, place.name])];
    crumbs.forEach(([place, label], index) => {
      if (index === crumbs.length - 1) {
        path.append(element('span', { 'aria-current': 'location' }, label));
      } else {
        const crumb = element('button', { type: 'button', class: 'link' }, label);
        crumb.addEventListener('click', () => show(place));
        path.append(crumb, element('span', { 'aria-hidden': 'true' }, ' › '));
      }
    });
  }

  function show(place) {
    current = place;
    input.value = '';
    status.textContent = '';
    showPath();
    const children = place ? place.children : list.roots;
    const rows = children.map((child) => placeButton(child, child.name));
    if (place && kind === 'area') rows.unshift(button(fill(text.whole, { name: place.name }), () => choose(place), { 'data-code': place.code, 'data-whole': '' }));
    items.classList.remove('place-results');
    items.replaceChildren(...rows);
    (items.querySelector('button') || title).focus({ preventScroll: true });
    items.scrollTop = 0;
  }

  function showResults() {
    const query = input.value.trim();
    if (!query) {
      show(current);
      input.focus();
      return;
    }
    const found = search(list, query);
    const shown = found.slice(0, MAX_RESULTS);
    path.replaceChildren();
    items.classList.add('place-results');
    items.replaceChildren(...shown.map((place) => placeButton(place, place.full)));
    if (!found.length) status.textContent = fill(text.none, { query });
    else if (found.length > MAX_RESULTS) status.textContent = fill(text.many, { count: MAX_RESULTS });
    else status.textContent = fill(text.found, { count: found.length });
  }

  async function start() {
    dialog.showModal();
    title.focus();
    if (list) {
      show(null);
      return;
    }
    status.textContent = text.loading;
    items.replaceChildren();
    try {
      list = await loadPlaces(select.dataset.places);
      show(null);
      title.focus();
    } catch (error) {
      status.textContent = text.failed;
    }
  }

  close.addEventListener('click', () => dialog.close());
  input.addEventListener('input', () => list && showResults());
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault(); // never submit the page's form from here
    const first = items.querySelector('button');
    if (first && input.value.trim()) first.click();
  });
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close(); // a tap on the backdrop
  });
  return start;
}

/** Give every place field under `root` its picker button (once). */
export function enhancePlaces(root = document) {
  const selects = root.querySelectorAll('select[data-place-picker]');
  if (!selects.length) return;
  addStylesheet();
  for (const select of selects) {
    if (select.dataset.placeEnhanced) continue;
    select.dataset.placeEnhanced = 'yes';
    const text = strings(select);
    const opener = element('button', { type: 'button', class: 'place-open', 'aria-haspopup': 'dialog' }, text.open);
    let start = null;
    opener.addEventListener('click', () => {
      start = start || buildPicker(select);
      start();
    });
    (select.closest('label') || select).after(opener);
    loadPlaces(select.dataset.places).catch(() => {}); // fetch early: the picker opens at once
  }
}

enhancePlaces();
