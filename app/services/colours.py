"""Recolouring: load people's facts in a few set-based queries, evaluate, store changes, revoke codes."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import insert, or_, select, update

from app.domain import colours
from app.extensions import db
from app.models import Checkin, ControlEntry, IssuedCode, Override, RiskArea, User, Verdict, Visit
from app.services import clock

CHUNK = 500
_SEVERITY = {None: -1, "green": 0, "yellow": 1, "red": 2}


@dataclass
class Recoloured:
    """What a recolouring did: new verdicts stored, and how many people's colour got worse or better."""

    changed: int = 0
    worsened: int = 0
    improved: int = 0

    def add(self, other: "Recoloured") -> None:
        self.changed += other.changed
        self.worsened += other.worsened
        self.improved += other.improved


def rule_set() -> colours.RuleSet:
    """The configured rule set (the shipped one unless RULES_FILE points elsewhere)."""
    path = current_app.config["RULES_FILE"]
    return colours.load_rule_set(path) if path else colours.default_rule_set()


def active_risk_areas(today: date, window_start: date) -> list[colours.RiskArea]:
    """Risk areas that overlap the facts window."""
    rows = db.session.scalars(select(RiskArea).where(or_(RiskArea.end.is_(None), RiskArea.end >= window_start),
                                                     RiskArea.start <= today))
    return [colours.RiskArea(district=r.district, level=r.level, start=r.start, end=r.end) for r in rows]


def recolour(user_ids, trigger: str, actor_id: int | None = None) -> Recoloured:
    """Re-evaluate these people; store a verdict for each whose colour or reasons changed.

    Codes of people whose colour changed are revoked. The caller commits.
    """
    today = clock.local_today()
    now = clock.now_utc()
    window_start = today - timedelta(days=current_app.config["FACTS_WINDOW_DAYS"])
    rules = rule_set()
    areas = active_risk_areas(today, window_start)
    result = Recoloured()
    ids = list(dict.fromkeys(user_ids))
    for start in range(0, len(ids), CHUNK):
        result.add(_recolour_chunk(ids[start:start + CHUNK], trigger, actor_id, today, now, window_start, rules, areas))
    return result


def _recolour_chunk(ids, trigger, actor_id, today, now, window_start, rules, areas) -> Recoloured:
    users = db.session.execute(select(User.id, User.doc_kind, User.doc_hash, User.colour, User.verdict_id)
                               .where(User.id.in_(ids))).all()
    facts = _load_facts(ids, users, today, window_start)
    previous = dict(db.session.execute(select(Verdict.id, Verdict.reasons)
                                       .where(Verdict.id.in_([u.verdict_id for u in users if u.verdict_id]))).all())
    new_rows, unchanged = [], []
    for user in users:
        verdict = colours.evaluate(facts[user.id], rules, areas, today)
        stored = verdict.to_dict()
        if user.verdict_id and user.colour == verdict.colour and previous.get(user.verdict_id) == stored["reasons"]:
            unchanged.append(user.id)
            continue
        new_rows.append({
            "user_id": user.id, "colour": verdict.colour, "reasons": stored["reasons"],
            "may_turn_green_on": verdict.may_turn_green_on, "healthy_streak": verdict.healthy_streak,
            "needed_streak": verdict.needed_streak, "rule_set_version": verdict.rule_set_version,
            "inputs": {"facts": colours.facts_to_dict(facts[user.id]),
                       "risk_areas": [a.district + ":" + a.level for a in areas]},
            "trigger": trigger, "triggered_by_id": actor_id, "computed_at": now, "_old_colour": user.colour})
    if unchanged:
        db.session.execute(update(User).where(User.id.in_(unchanged)).values(evaluated_on=today))
    if not new_rows:
        return Recoloured()
    old_colours = {row["user_id"]: row.pop("_old_colour") for row in new_rows}
    inserted = db.session.execute(insert(Verdict).returning(Verdict.id, Verdict.user_id, Verdict.colour),
                                  new_rows).all()
    db.session.execute(update(User), [{"id": user_id, "verdict_id": verdict_id, "colour": colour,
                                       "evaluated_on": today} for verdict_id, user_id, colour in inserted])
    recoloured = [user_id for _, user_id, colour in inserted if old_colours[user_id] != colour]
    if recoloured:
        db.session.execute(update(User).where(User.id.in_(recoloured)).values(code_jti=None))
        db.session.execute(update(IssuedCode).where(IssuedCode.user_id.in_(recoloured),
                                                    IssuedCode.revoked_at.is_(None),
                                                    IssuedCode.expires_at > now)
                           .values(revoked_at=now, revoked_reason="colour_changed"))
    db.session.expire_all()
    moves = [(_SEVERITY[old_colours[user_id]], _SEVERITY[colour]) for _, user_id, colour in inserted
             if old_colours[user_id] is not None]  # a first colour is neither better nor worse
    worsened = sum(1 for old, new in moves if new > old)
    improved = sum(1 for old, new in moves if new < old)
    return Recoloured(changed=len(inserted), worsened=worsened, improved=improved)


def _load_facts(ids, users, today, window_start) -> dict[int, colours.Facts]:
    """Check-ins, visits, control entries and approved overrides of these people, a query each."""
    visits = defaultdict(list)
    for checkin_id, district, day in db.session.execute(
            select(Visit.checkin_id, Visit.district, Visit.day).where(Visit.user_id.in_(ids),
                                                                      Visit.day >= window_start)):
        visits[checkin_id].append(colours.Visit(district=district, day=day))
    checkins = defaultdict(list)
    for c in db.session.execute(select(Checkin.id, Checkin.user_id, Checkin.day, Checkin.district,
                                       Checkin.temperature, Checkin.symptoms, Checkin.contact_with_cases,
                                       Checkin.arrival_from, Checkin.arrival_day, Checkin.arrival_transport)
                                .where(Checkin.user_id.in_(ids), Checkin.day >= window_start,
                                       Checkin.day <= today)
                                .order_by(Checkin.day, Checkin.checked_at)):
        arrival = (colours.Arrival(from_district=c.arrival_from, day=c.arrival_day, transport=c.arrival_transport)
                   if c.arrival_from else None)
        checkins[c.user_id].append(colours.Checkin(
            day=c.day, district=c.district, temperature=c.temperature, symptoms=tuple(c.symptoms or ()),
            visits=tuple(visits[c.id]), contact_with_cases=c.contact_with_cases, arrival=arrival))

    control = defaultdict(list)
    by_doc = {(u.doc_kind, u.doc_hash): u.id for u in users if u.doc_hash}
    if by_doc:
        hashes = [doc_hash for _, doc_hash in by_doc]
        for entry in db.session.scalars(select(ControlEntry).where(ControlEntry.doc_hash.in_(hashes))):
            user_id = by_doc.get((entry.doc_kind, entry.doc_hash))
            if user_id is not None:
                control[user_id].append(colours.ControlEntry(status=entry.status, start=entry.start, end=entry.end))

    overrides = defaultdict(list)
    for o in db.session.scalars(select(Override).where(Override.user_id.in_(ids),
                                                       Override.state == "approved")):
        overrides[o.user_id].append(colours.Override(colour=o.colour, reason_category=o.reason_category,
                                                     start=o.start, end=o.end))
    return {user_id: colours.Facts(checkins=tuple(checkins[user_id]), control=tuple(control[user_id]),
                                   overrides=tuple(overrides[user_id])) for user_id, *_ in users}
