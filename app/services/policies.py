"""Checkpoint policies set by the authority (app/domain/policies.py): new versions, ending a scope's own
policy, the lists the console shows, what the trust bundle carries, and judging synced scans again under the
policy that held at a checkpoint when they were made."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.domain import districts, policies
from app.domain.colours import RiskAreaFact
from app.domain.policies import DEFAULT, Decision, Policy, PolicyInvalid
from app.domain.scanning import ScanVerdict
from app.extensions import db
from app.infra import audit, clock
from app.models import Checkpoint, CheckpointPolicy, RiskArea
from app.models.checkpoint import CHECKPOINT_KINDS
from app.services.errors import DomainError


class PolicyError(DomainError):
    """A policy the console cannot set or end."""

    messages = {
        "unknown_kind": _l("Please choose a kind of checkpoint."),
        "unknown_area": _l("Please choose an area."),
        "unknown_action": _l("Please choose what the scanner shows."),
        "text_too_long": _l("At most %(n)s characters."),
        "malformed": _l("Please check what you entered."),
        "off_needs_area": _l("Checking can be switched off only in a chosen area, one you mark low-risk."),
        "start_in_past": _l("A policy cannot begin before today."),
        "no_policy": _l("These checkpoints have no policy of their own to end."),
    }
    statuses = {"no_policy": 409}


@dataclass(frozen=True)
class PolicyRow:
    """A version for the console's lists: the policy and when it stopped holding (None: it still holds)."""

    policy: Policy
    valid_from: datetime
    until: datetime | None


def _from_row(row) -> Policy:
    return Policy(
        row.id,
        row.kind,
        row.area,
        clock.epoch(row.valid_from),
        row.checking,
        policies.parse_steps(row.steps),
        row.retired,
    )


def covering_areas(district: str) -> list[str]:
    """The area codes that can hold a county: itself, its city, its province."""
    return list(dict.fromkeys([district, district[:4] + "00", district[:2] + "0000"]))


def set_policy(
    kind: str | None, area: str | None, checking: bool, steps, start: date | None, actor_id: int
) -> CheckpointPolicy:
    """A new version for the scope (kind or every kind; area or everywhere), holding from now, or from the
    start of a later day. Checking can be switched off only for a chosen area."""
    kind, area = kind or None, area or None
    if kind is not None and kind not in CHECKPOINT_KINDS:
        raise PolicyError("unknown_kind", "kind")
    if area is not None and not districts.is_area(area):
        raise PolicyError("unknown_area", "area")
    if not isinstance(checking, bool):
        raise PolicyError("malformed", "checking")
    if not checking and area is None:
        raise PolicyError("off_needs_area", "checking")
    try:
        parsed = policies.parse_steps(steps)
    except PolicyInvalid as error:
        if error.field not in policies.STATUSES:
            raise PolicyError("malformed") from None
        if error.code == "text_too_long":
            raise PolicyError(error.code, f"{error.field}_text", n=policies.MAX_TEXT) from None
        raise PolicyError(error.code, f"{error.field}_action") from None
    now, today = clock.now_utc(), clock.local_today()
    if start is not None and start < today:
        raise PolicyError("start_in_past", "start")
    valid_from = now if start is None or start == today else clock.local_midnight_utc(start)
    row = CheckpointPolicy(
        kind=kind,
        area=area,
        valid_from=valid_from,
        checking=checking,
        steps={status: {"action": step.action, "text": step.text} for status, step in parsed.items()},
        retired=False,
        created_at=now,
        created_by_id=actor_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor_id,
        "checkpoint_policy_set",
        None,
        "checking" if checking else "checking off",
        policy_id=row.id,
        kind=kind,
        area=area,
        valid_from=valid_from.isoformat(),
        steps=row.steps,
    )
    db.session.commit()
    return row


def end_policy(policy_id: int, actor_id: int) -> CheckpointPolicy:
    """From now on the scope of this version has no policy of its own (the wider one, or the default, holds).
    Its history stays; a version scheduled for later still begins when it is due."""
    version = db.session.get(CheckpointPolicy, policy_id)
    if version is None:
        raise PolicyError("no_policy")
    now = clock.now_utc()
    current = policies.current_versions(_versions_of_scope(version.kind, version.area), clock.epoch(now))
    held = current.get((version.kind, version.area))
    if held is None or held.retired:
        raise PolicyError("no_policy")
    row = CheckpointPolicy(
        kind=version.kind,
        area=version.area,
        valid_from=now,
        checking=True,
        steps=policies.to_dict(DEFAULT)["steps"],
        retired=True,
        created_at=now,
        created_by_id=actor_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor_id, "checkpoint_policy_ended", None, "ended", policy_id=row.id, kind=version.kind, area=version.area
    )
    db.session.commit()
    return row


def _versions_of_scope(kind: str | None, area: str | None) -> list[Policy]:
    rows = db.session.scalars(
        select(CheckpointPolicy).where(
            CheckpointPolicy.kind.is_(None) if kind is None else CheckpointPolicy.kind == kind,
            CheckpointPolicy.area.is_(None) if area is None else CheckpointPolicy.area == area,
        )
    )
    return [_from_row(row) for row in rows]


def all_versions() -> list[Policy]:
    """Every version, oldest first (the authority sets a few dozen scopes, not thousands)."""
    rows = db.session.scalars(select(CheckpointPolicy).order_by(CheckpointPolicy.valid_from, CheckpointPolicy.id))
    return [_from_row(row) for row in rows]


def policy_lists() -> tuple[list[Policy], list[Policy], list[PolicyRow]]:
    """(each scope's version in force now, versions scheduled to begin later, every version begun so far with
    its end, newest first), for the console; retired versions appear only in the history."""
    versions = all_versions()
    now = clock.epoch(clock.now_utc())
    current = sorted(
        (policy for policy in policies.current_versions(versions, now).values() if not policy.retired),
        key=_scope_order,
    )
    scheduled = [policy for policy in versions if policy.valid_from > now]
    history = []
    for policy in reversed([policy for policy in versions if policy.valid_from <= now]):
        later = [
            other.valid_from
            for other in versions
            if other.scope == policy.scope and (other.valid_from, other.id) > (policy.valid_from, policy.id)
        ]
        history.append(PolicyRow(policy, moment(policy.valid_from), moment(min(later)) if later else None))
    return current, scheduled, history


def moment(epoch: int) -> datetime:
    """Epoch seconds as naive UTC (how the database and the templates take moments)."""
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def _scope_order(policy: Policy) -> tuple:
    return (policy.area or "", policy.kind or "")


def bundle_policies(now: datetime, until: datetime) -> list[dict]:
    """What a scanner needs to follow policies offline until `until`: each scope's version in force now (unless
    it is retired) and every version that begins before `until`."""
    versions = all_versions()
    at, end = clock.epoch(now), clock.epoch(until)
    current = [policy for policy in policies.current_versions(versions, at).values() if not policy.retired]
    upcoming = [policy for policy in versions if at < policy.valid_from <= end]
    return [policies.to_dict(policy) for policy in sorted(current, key=lambda p: p.id) + upcoming]


def bundle_risk_areas(today: date) -> list[dict]:
    """Risk areas in force or upcoming (where checking cannot be switched off), as the trust bundle carries them."""
    rows = db.session.scalars(
        select(RiskArea).where(or_(RiskArea.end.is_(None), RiskArea.end >= today)).order_by(RiskArea.id)
    )
    return [
        {
            "district": row.district,
            "level": row.level,
            "start": row.start.isoformat(),
            "end": row.end.isoformat() if row.end else None,
        }
        for row in rows
    ]


class CheckpointJudge:
    """The policies and risk areas that can concern one checkpoint, read once, to judge many of its scans."""

    def __init__(self, checkpoint: Checkpoint):
        self.kind, self.district = checkpoint.kind, checkpoint.district
        areas = covering_areas(checkpoint.district)
        rows = db.session.scalars(
            select(CheckpointPolicy).where(
                or_(CheckpointPolicy.kind.is_(None), CheckpointPolicy.kind == checkpoint.kind),
                or_(CheckpointPolicy.area.is_(None), CheckpointPolicy.area.in_(areas)),
            )
        )
        self.versions = [_from_row(row) for row in rows]
        self.risk_areas = (
            [
                RiskAreaFact(row.district, row.level, row.start, row.end)
                for row in db.session.scalars(select(RiskArea).where(RiskArea.district.in_(areas)))
            ]
            if any(not version.checking for version in self.versions)
            else []
        )

    def policy_at(self, moment: datetime) -> Policy:
        """The policy that held at the checkpoint at `moment` (naive UTC)."""
        if not self.versions:
            return DEFAULT
        day = clock.to_local(moment).date()
        return policies.in_force(self.versions, self.kind, self.district, clock.epoch(moment), day, self.risk_areas)

    def decide(self, verdict: ScanVerdict, moment: datetime) -> Decision:
        """A judged code under the policy of `moment`."""
        return policies.decide(verdict.result, verdict.reason, self.policy_at(moment))
