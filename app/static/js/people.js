// Whose codes this device may show: the resident and the relatives they act for (GET /api/people),
// saved on the device so the switcher and the "for whom" line work offline. The person in the page's
// URL (`?for=<person id>`; none = the resident) is the one the page shows or checks in for.
import { db, site } from './device.js';
import { t } from './strings.js';

export const SELF = db.SELF;

/** The person named by `?for=` in `url`: SELF when absent or not a person id. */
export function personFromUrl(url = location.href) {
  const value = new URL(url, location.href).searchParams.get('for');
  return value && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : SELF;
}

/** `url` naming `person` (other query parameters kept). */
export function urlFor(person, url = location.href) {
  const next = new URL(url, location.href);
  if (person === SELF) next.searchParams.delete('for');
  else next.searchParams.set('for', String(person));
  return next.pathname + next.search;
}

/** SELF for the resident's own id (a link may name them), else the person unchanged. */
export function normalise(person, people) {
  const self = people.find((entry) => entry.relationship === 'self');
  return self && person === self.id ? SELF : person;
}

/** The list entry of `person` (SELF or an id), or null when the list does not know them. */
export function findPerson(people, person) {
  if (person === SELF) return people.find((entry) => entry.relationship === 'self') || null;
  return people.find((entry) => entry.id === person && entry.relationship !== 'self') || null;
}

/** The button text: "Me", or "张*宝 (child)". */
export function personLabel(entry) {
  if (!entry || entry.relationship === 'self') return t('person_self');
  return t('person_relative', { name: entry.masked_name, relationship: t(`relationship_${entry.relationship}`) });
}

/** The saved list (possibly empty). */
export async function savedPeople() {
  const entry = await db.savedPeople();
  return entry ? entry.people : [];
}

/** Fetch the list; saved only when the answer is a good one. Resolves to {status, people}. */
export async function refreshPeople() {
  const saved = await savedPeople();
  if (!navigator.onLine) return { status: 'offline', people: saved };
  try {
    const response = await fetch(site.api.people, {
      headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store',
    });
    const isJson = (response.headers.get('Content-Type') || '').includes('application/json');
    const body = response.ok && !response.redirected && isJson ? await response.json().catch(() => null) : null;
    if (body && Array.isArray(body.people) && body.people.some((entry) => entry.relationship === 'self')) {
      return { status: 'fresh', people: (await db.savePeople(body.people, Date.now())).people };
    }
    return { status: 'error', people: saved };
  } catch (error) {
    return { status: 'offline', people: saved };
  }
}
