// The pharmacy's sale form (templates/pharmacy/_drug_sale_form.html): the actual patient's mobile number is asked
// for, and required, only for a purchase for someone else (代购). Hidden and disabled otherwise, so the record
// carries no number then (care-desk.js skips disabled fields).
const form = document.querySelector('form[data-drug-sale-form]');

function sync() {
  const proxy = form.querySelector('[data-proxy]').checked;
  const field = form.querySelector('[data-proxy-only]');
  const input = field.querySelector('input');
  field.hidden = !proxy;
  input.disabled = !proxy;
  input.required = proxy;
}

if (form) {
  form.addEventListener('change', (event) => { if (event.target.matches('[data-proxy]')) sync(); });
  form.addEventListener('reset', () => setTimeout(sync)); // reset() changes the box without a change event
  sync();
}
