// Checkpoint policies on the device (app/domain/policies.py does the same on the server): which policy the
// trust bundle says this checkpoint follows at a moment, and what a judged code becomes under it.
// A policy gives each status (green, yellow, red, unverified, no code) an action: pass, pass with a note,
// send to a channel (the fever clinic…), deny or, for unverified codes, check by hand; or it switches
// checking off (a low-risk area), which never holds where a medium- or high-risk area is in force.
import { isoDay } from './local-time.js';

export const STATUSES = ['green', 'yellow', 'red', 'unverified', 'no_code'];
const ACTIONS = ['pass', 'note', 'channel', 'deny', 'check'];
const WITH_TEXT = ['note', 'channel'];
const MAX_TEXT = 40;
const RESULT_OF_ACTION = { pass: 'pass', note: 'pass', channel: 'channel', deny: 'deny', check: 'unverified', off: 'unchecked' };
const ALWAYS_DENIED = ['invalid', 'unknown_issuer'];
const STATUS_OF_REASON = {
  ok: 'green', yellow: 'yellow', red: 'red', no_code: 'no_code', unknown_person: 'no_code', expired: 'no_code', revoked: 'no_code',
};
const AREA = /^\d{6}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The default: what gates have always done (green passes; yellow, red and no code denied; unverified checked by hand). */
export const DEFAULT_POLICY = Object.freeze({
  id: null, kind: null, area: null, valid_from: 0, checking: true, retired: false,
  steps: Object.freeze({
    green: { action: 'pass', text: '' }, yellow: { action: 'deny', text: '' }, red: { action: 'deny', text: '' },
    unverified: { action: 'check', text: '' }, no_code: { action: 'deny', text: '' },
  }),
});

export class PolicyMalformed extends Error {}

function allowed(status) {
  return status === 'unverified' ? ACTIONS : ACTIONS.filter((action) => action !== 'check');
}

function parsePolicy(item) {
  if (!item || typeof item !== 'object') throw new PolicyMalformed('policy');
  const { id, kind, area, valid_from: validFrom, checking, retired, steps } = item;
  const integer = (value) => Number.isInteger(value) && typeof value === 'number';
  if (!(id === null || integer(id)) || !integer(validFrom)) throw new PolicyMalformed('id');
  if (!(kind === null || typeof kind === 'string') || !(area === null || (typeof area === 'string' && AREA.test(area)))) {
    throw new PolicyMalformed('scope');
  }
  if (typeof checking !== 'boolean' || typeof retired !== 'boolean' || !steps || typeof steps !== 'object') {
    throw new PolicyMalformed('checking');
  }
  const parsed = {};
  for (const status of STATUSES) {
    const step = steps[status];
    if (!step || !allowed(status).includes(step.action) || typeof step.text !== 'string' || step.text.length > MAX_TEXT) {
      throw new PolicyMalformed(status);
    }
    parsed[status] = Object.freeze({ action: step.action, text: WITH_TEXT.includes(step.action) ? step.text : '' });
  }
  return Object.freeze({ id, kind, area, valid_from: validFrom, checking, retired, steps: Object.freeze(parsed) });
}

function parseRiskArea(item) {
  if (!item || typeof item.district !== 'string' || !AREA.test(item.district) || typeof item.start !== 'string'
      || !DAY.test(item.start) || !(item.end === null || (typeof item.end === 'string' && DAY.test(item.end)))) {
    throw new PolicyMalformed('risk_area');
  }
  return Object.freeze({ district: item.district, start: item.start, end: item.end });
}

/**
 * The policies and risk areas of a verified bundle payload. A bundle from before policies has neither: the
 * default holds. Anything malformed throws PolicyMalformed (the bundle is then not used).
 */
export function policiesOf(payload) {
  const policies = payload.policies ?? [];
  const riskAreas = payload.risk_areas ?? [];
  if (!Array.isArray(policies) || !Array.isArray(riskAreas)) throw new PolicyMalformed('lists');
  return { policies: Object.freeze(policies.map(parsePolicy)), riskAreas: Object.freeze(riskAreas.map(parseRiskArea)) };
}

function prefixOf(area) {
  let prefix = area;
  while (prefix.endsWith('00') && prefix.length > 2) prefix = prefix.slice(0, -2);
  return prefix;
}

function within(district, area) {
  return district.startsWith(prefixOf(area));
}

function covers(policy, kind, district) {
  return (policy.kind === null || policy.kind === kind) && (policy.area === null || within(district, policy.area));
}

/** Narrower area first (county, city, province, everywhere), then a named kind before every kind. */
function narrower(a, b) {
  const depth = (policy) => (policy.area === null ? 0 : prefixOf(policy.area).length);
  return depth(b) - depth(a) || Number(b.kind !== null) - Number(a.kind !== null);
}

function inRiskArea(riskAreas, district, day) {
  return riskAreas.some((area) => within(district, area.district) && area.start <= day && (area.end === null || day <= area.end));
}

/** The policy the checkpoint ({kind, district}) follows at `nowSeconds`, from the trust bundle (or the default). */
export function policyInForce(trust, checkpoint, nowSeconds = Date.now() / 1000) {
  if (!trust || !checkpoint || !trust.policies) return DEFAULT_POLICY;
  const latest = new Map();
  for (const policy of trust.policies) {
    if (policy.valid_from > nowSeconds || !covers(policy, checkpoint.kind, checkpoint.district)) continue;
    const scope = `${policy.kind}|${policy.area}`;
    const held = latest.get(scope);
    if (!held || policy.valid_from > held.valid_from || (policy.valid_from === held.valid_from && (policy.id || 0) > (held.id || 0))) {
      latest.set(scope, policy);
    }
  }
  const day = isoDay(nowSeconds * 1000);
  for (const policy of [...latest.values()].filter((item) => !item.retired).sort(narrower)) {
    if (!policy.checking && inRiskArea(trust.riskAreas || [], checkpoint.district, day)) continue;
    return policy;
  }
  return DEFAULT_POLICY;
}

/** The status a judged code has under a policy; null for a code every policy denies. */
export function statusOf(verdict) {
  if (verdict.result === 'unverified') return 'unverified';
  if (ALWAYS_DENIED.includes(verdict.reason)) return null;
  return STATUS_OF_REASON[verdict.reason] ?? null;
}

/**
 * A judged code (code-verify.js) under `policy`: `result` becomes what the scanner shows (pass, deny,
 * unverified, channel, unchecked); `action`, `text` (a note, or where the channel is) and `policy` (its id)
 * are added; the reason and colour stay the code's.
 */
export function underPolicy(verdict, policy = DEFAULT_POLICY) {
  let action = 'off';
  let text = '';
  if (policy.checking) {
    const status = statusOf(verdict);
    const step = status === null ? { action: 'deny', text: '' } : policy.steps[status];
    action = step.action;
    text = step.text;
  }
  return { ...verdict, result: RESULT_OF_ACTION[action], action, text, policy: policy.id };
}
