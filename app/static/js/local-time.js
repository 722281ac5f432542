// Times and dates shown in the service's time zone (the server counts days in it too).
import { setting } from './strings.js';

const zone = setting('timezone', 'Asia/Shanghai');
const format = new Intl.DateTimeFormat('en-GB', {
  timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function parts(moment) {
  const found = {};
  for (const { type, value } of format.formatToParts(moment)) found[type] = value;
  return found;
}

/** "YYYY-MM-DD" of a moment (Date or epoch ms). */
export function isoDay(moment = new Date()) {
  const p = parts(moment);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "HH:MM:SS" for the live clock. */
export function clockText(moment = new Date()) {
  const p = parts(moment);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** "HH:MM". */
export function hourMinute(moment) {
  const p = parts(moment);
  return `${p.hour}:${p.minute}`;
}

/** "YYYY-MM-DD HH:MM". */
export function dateTime(moment) {
  return `${isoDay(moment)} ${hourMinute(moment)}`;
}

/** The ISO day `days` before/after an ISO day (calendar arithmetic, no time zone involved). */
export function shiftDay(day, days) {
  const moment = new Date(`${day}T00:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() + days);
  return moment.toISOString().slice(0, 10);
}
