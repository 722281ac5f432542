// The large-text toggle: class `large-text` on <html>, remembered in localStorage.
const KEY = 'large-text';

export function startLargeText() {
  const root = document.documentElement;
  const apply = (on) => {
    root.classList.toggle('large-text', on);
    for (const button of document.querySelectorAll('[data-large-text]')) button.setAttribute('aria-pressed', String(on));
  };
  apply(localStorage.getItem(KEY) === '1');
  for (const button of document.querySelectorAll('[data-large-text]')) {
    button.addEventListener('click', () => {
      const on = !root.classList.contains('large-text');
      if (on) localStorage.setItem(KEY, '1');
      else localStorage.removeItem(KEY);
      apply(on);
    });
  }
}
