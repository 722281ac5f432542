// User-visible text and page settings, given by the templates as JSON (<script type="application/json" data-strings>).
const strings = {};
for (const element of document.querySelectorAll('script[type="application/json"][data-strings]')) {
  Object.assign(strings, JSON.parse(element.textContent));
}

/** The text for `key` with {name} placeholders filled from `values`. */
export function t(key, values = {}) {
  const template = strings[key] ?? key;
  return String(template).replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}

/** A page setting such as "timezone" or "locale" (same JSON blocks). */
export function setting(key, fallback = null) {
  return strings[key] ?? fallback;
}
