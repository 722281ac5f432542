"""Checkpoint policies: what a gate's scanner shows for each kind of code, chosen by the checkpoint's kind and
area. Pure: the table of statuses and actions, which policy holds at a checkpoint at a moment, and a scan
judged under it. The scanner does the same in the browser (app/static/js/code-verify.js), from the policies
the trust bundle carries (docs/contracts.md: the trust bundle).

A policy says, for each status a scanned code can have (green, yellow, red, unverified, no code), one action:
pass, pass with a note, send to a channel (the fever clinic, the green channel…), deny, or, for codes the
scanner could not verify, check by hand (the warden decides). Or it switches checking off altogether (an
area the authority marks low-risk): the scanner then says so instead of judging. Checking off never holds
inside a medium- or high-risk area: there the next policy (or the default) applies.

Policies are kept as versions: each has the moment it holds from, and a scope (a checkpoint kind or every
kind, an area or everywhere). At a checkpoint, the scope that names its area most narrowly wins, then the one
that names its kind; within a scope, the latest version that had begun. A retired version ends its scope's
own policy. Without any, the default is what gates have always done: green passes, yellow, red and no code
are denied, unverified codes are checked by hand.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.domain import districts
from app.domain.colours import RiskAreaFact, risk_areas_on

STATUSES = ("green", "yellow", "red", "unverified", "no_code")
ACTIONS = ("pass", "note", "channel", "deny", "check")
OFF = "off"  # the action recorded when checking is switched off
# What the scanner shows (the scan record's `result`) for each action.
RESULT_OF_ACTION = {
    "pass": "pass",
    "note": "pass",
    "channel": "channel",
    "deny": "deny",
    "check": "unverified",
    OFF: "unchecked",
}
DEFAULT_ACTIONS = {"green": "pass", "yellow": "deny", "red": "deny", "unverified": "check", "no_code": "deny"}
WITH_TEXT = ("note", "channel")  # actions that show the policy's text (the note, or where the channel is)
MAX_TEXT = 40
# Codes that are not genuine (damaged, forged, from an issuer we do not trust) are denied under every policy.
ALWAYS_DENIED = ("invalid", "unknown_issuer")
# The status of a judged code by its reason; expired and withdrawn codes count as no (valid) code.
STATUS_OF_REASON = {
    "ok": "green",
    "yellow": "yellow",
    "red": "red",
    "no_code": "no_code",
    "unknown_person": "no_code",
    "expired": "no_code",
    "revoked": "no_code",
}


class PolicyInvalid(ValueError):
    """A policy that cannot be used: `field` names the part at fault, `code` says why."""

    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


@dataclass(frozen=True)
class Step:
    """What the scanner does for one status: an action and, for a note or a channel, its text."""

    action: str
    text: str = ""


def _default_steps() -> dict[str, Step]:
    return {status: Step(action) for status, action in DEFAULT_ACTIONS.items()}


@dataclass(frozen=True)
class Policy:
    """One version of a scope's policy. `id` None: the built-in default; `kind`/`area` None: every kind,
    everywhere; `valid_from` in epoch seconds."""

    id: int | None
    kind: str | None
    area: str | None
    valid_from: int
    checking: bool = True
    steps: Mapping[str, Step] = field(default_factory=_default_steps)
    retired: bool = False

    @property
    def scope(self) -> tuple[str | None, str | None]:
        return self.kind, self.area


DEFAULT = Policy(None, None, None, 0)


@dataclass(frozen=True)
class Decision:
    """What the scanner shows for a judged code under a policy: `result` (pass, deny, unverified, channel or
    unchecked), the `action` behind it, the policy's text for it, and the policy's id (None: the default)."""

    result: str
    action: str
    text: str
    policy_id: int | None


def allowed_actions(status: str) -> tuple[str, ...]:
    """The actions a policy may give a status: "check" only where the scanner could not verify the code."""
    return ACTIONS if status == "unverified" else tuple(action for action in ACTIONS if action != "check")


def parse_steps(raw) -> dict[str, Step]:
    """Every status's step from {status: {"action", "text"}}; PolicyInvalid names the first one at fault."""
    if not isinstance(raw, Mapping):
        raise PolicyInvalid("steps", "malformed")
    steps = {}
    for status in STATUSES:
        item = raw.get(status)
        if not isinstance(item, Mapping) or item.get("action") not in allowed_actions(status):
            raise PolicyInvalid(status, "unknown_action")
        text = item.get("text") or ""
        if not isinstance(text, str):
            raise PolicyInvalid(status, "malformed")
        text = " ".join(text.split())
        if len(text) > MAX_TEXT:
            raise PolicyInvalid(status, "text_too_long")
        if any(not character.isprintable() for character in text):
            raise PolicyInvalid(status, "malformed")
        steps[status] = Step(item["action"], text if item["action"] in WITH_TEXT else "")
    return steps


def status_of(result: str, reason: str) -> str | None:
    """The status a judged code has under a policy; None for a code every policy denies."""
    if result == "unverified":
        return "unverified"
    if reason in ALWAYS_DENIED:
        return None
    return STATUS_OF_REASON.get(reason)


def decide(result: str, reason: str, policy: Policy) -> Decision:
    """A judged code (its result and reason, app/domain/scanning.py) under `policy`."""
    if not policy.checking:
        return Decision(RESULT_OF_ACTION[OFF], OFF, "", policy.id)
    status = status_of(result, reason)
    if status is None:
        return Decision("deny", "deny", "", policy.id)
    step = policy.steps[status]
    return Decision(RESULT_OF_ACTION[step.action], step.action, step.text, policy.id)


def covers(policy: Policy, kind: str, district: str) -> bool:
    """True if the policy's scope includes a checkpoint of `kind` in `district`."""
    return (policy.kind is None or policy.kind == kind) and (
        policy.area is None or districts.within(district, policy.area)
    )


def _narrowness(policy: Policy) -> tuple[int, bool]:
    """Narrower area first (a county before its city, before its province, before everywhere), then kind."""
    return (len(districts.prefix_of(policy.area)) if policy.area else 0, policy.kind is not None)


def current_versions(policies: Iterable[Policy], at: int) -> dict[tuple, Policy]:
    """Each scope's version in force at `at`: the latest begun (the higher id on a tie), retired ones included."""
    latest: dict[tuple, Policy] = {}
    for policy in policies:
        if policy.valid_from > at:
            continue
        held = latest.get(policy.scope)
        if held is None or (policy.valid_from, policy.id or 0) > (held.valid_from, held.id or 0):
            latest[policy.scope] = policy
    return latest


def in_force(
    policies: Iterable[Policy], kind: str, district: str, at: int, day: date, risk_areas: Sequence[RiskAreaFact]
) -> Policy:
    """The policy a checkpoint of `kind` in `district` follows at `at` (epoch seconds; `day`: its local date).
    Checking off is skipped where a risk area covers the district on `day`."""
    candidates = [
        policy
        for policy in current_versions((p for p in policies if covers(p, kind, district)), at).values()
        if not policy.retired
    ]
    in_risk_area = None
    for policy in sorted(candidates, key=_narrowness, reverse=True):
        if not policy.checking:
            if in_risk_area is None:
                in_risk_area = bool(risk_areas_on(district, day, risk_areas))
            if in_risk_area:
                continue
        return policy
    return DEFAULT


def to_dict(policy: Policy) -> dict:
    """The policy as the trust bundle and /api/info carry it."""
    return {
        "id": policy.id,
        "kind": policy.kind,
        "area": policy.area,
        "valid_from": policy.valid_from,
        "checking": policy.checking,
        "retired": policy.retired,
        "steps": {status: {"action": step.action, "text": step.text} for status, step in policy.steps.items()},
    }


def from_dict(item) -> Policy:
    """The inverse of to_dict, checked (PolicyInvalid when malformed)."""
    if not isinstance(item, Mapping):
        raise PolicyInvalid("policy", "malformed")
    valid_from, policy_id = item.get("valid_from"), item.get("id")
    if isinstance(valid_from, bool) or not isinstance(valid_from, int):
        raise PolicyInvalid("valid_from", "malformed")
    if policy_id is not None and (isinstance(policy_id, bool) or not isinstance(policy_id, int)):
        raise PolicyInvalid("id", "malformed")
    kind, area = item.get("kind"), item.get("area")
    if not (kind is None or isinstance(kind, str)) or not (area is None or districts.is_area(area)):
        raise PolicyInvalid("scope", "malformed")
    checking, retired = item.get("checking", True), item.get("retired", False)
    if not isinstance(checking, bool) or not isinstance(retired, bool):
        raise PolicyInvalid("checking", "malformed")
    return Policy(policy_id, kind, area, valid_from, checking, parse_steps(item.get("steps")), retired)
