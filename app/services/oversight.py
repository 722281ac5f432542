"""Oversight: daily colour tallies, the overview's figures and charts, and the audit-log search.

Areas. Admins see everything (or one area they pick); a supervisor sees only their `scope_district`
(a city such as 460100 covers its counties 4601xx) or a smaller area inside it. Residents, checkpoints
and reports belong to an area by their `district`; appeals by the appellant's district.

Audit entries a supervisor sees: those whose subject lives in the area, and those written by staff who
work in the area (a handler or supervisor whose `scope_district` lies in it, a warden whose checkpoint
lies in it) — so they see what happened to their residents and what their own staff looked at.
Entries about nobody written by the authority (enrolment links, imports) are the admins' alone.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, case, delete, exists, func, insert, literal, or_, select
from sqlalchemy.orm import aliased

from app.domain import districts
from app.domain.masking import mask_name
from app.domain.vocabulary import COLOURS
from app.extensions import db
from app.infra import audit, clock
from app.models import Appeal, AuditEntry, Checkpoint, ColourTally, DrugSale, Report, Scan, User
from app.models.districts import district_in_area
from app.services.errors import DomainError

CHART_DAYS = 14
SCAN_DAYS = 7
AUDIT_PAGE_SIZE = 50
AUDIT_MAX_PAGE = 1_000_000  # a page number past this is the last page asked for (keeps OFFSET within 64 bits)


class OversightError(DomainError):
    """An area the viewer asked for that they cannot see."""

    messages = {
        "unknown_area": _l("Please choose an area from the list."),
        "outside_area": _l("You can only see your own area."),
    }
    statuses = {"unknown_area": 400, "outside_area": 403}


# --- areas -------------------------------------------------------------------------------------------------


def staff_area(user: User) -> str | None:
    """The area a viewer may see: None (everything) for admins, the scope for supervisors; OversightError (403)
    for anyone else, such as a supervisor whose area was never set."""
    if user.role == "admin":
        return None
    if user.role == "supervisor" and user.scope_district:
        return user.scope_district
    raise OversightError("outside_area")


def resolve_area(user: User, requested: str | None) -> str | None:
    """The area to show: the viewer's own, or a smaller one they asked for (OversightError when not theirs)."""
    own = staff_area(user)
    if not requested:
        return own
    if not districts.is_area(requested):
        raise OversightError("unknown_area")
    if own is not None and not districts.within(requested, own):
        raise OversightError("outside_area")
    return requested


def area_options(user: User, lang: str) -> list[tuple[str, str]]:
    """(code, name) pairs the viewer may filter by; '' stands for everything an admin sees."""
    own = staff_area(user)
    if own is None:
        return [("", _("All areas"))] + districts.area_choices(lang)
    return [(code, name) for code, name in districts.area_choices(lang) if districts.within(code, own)]


# --- daily tallies -----------------------------------------------------------------------------------------


def take_tally(day: date) -> int:
    """Store the day's colour counts per district with one set-based INSERT ... SELECT; returns rows stored.

    Run daily (e.g. by cron, `flask tally` right after the nightly `flask recompute`) so that past days
    keep the colours people held then; the overview takes today's tally itself when it is missing.
    People without a district have no profile and so no code; they are not counted.
    """
    db.session.execute(delete(ColourTally).where(ColourTally.day == day))
    counted = (
        select(literal(day, Date), User.district, User.colour, func.count())
        .where(User.colour.is_not(None), User.district.is_not(None))
        .group_by(User.district, User.colour)
    )
    result = db.session.execute(
        insert(ColourTally).from_select(["day", "district", "colour", "people"], counted),
        execution_options={"preserve_rowcount": True},
    )  # kept for an INSERT only if asked
    db.session.commit()
    return result.rowcount


def ensure_tally(day: date) -> None:
    """Take the day's tally if none is stored yet (one cheap query when it is)."""
    if not db.session.scalar(select(exists().where(ColourTally.day == day))):
        take_tally(day)


# --- charts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One colour's share of a bar; `start` and `length` are fractions of the longest bar."""

    colour: str
    people: int
    start: float
    length: float


@dataclass(frozen=True)
class Bar:
    """One stacked bar: a day or a district, its counts per colour and where each colour is drawn."""

    key: str
    label: str
    counts: dict
    total: int
    segments: list = field(default_factory=list)
    known: bool = True  # False: no tally stored for that day


def stacked_bars(items: list[tuple[str, str, dict, bool]]) -> list[Bar]:
    """Bars scaled to the longest one, colours stacked green, yellow, red; items are (key, label, counts, known)."""
    longest = max((sum(counts.values()) for _key, _label, counts, _known in items), default=0) or 1
    bars = []
    for key, label, counts, known in items:
        start, segments = 0.0, []
        for colour in COLOURS:
            people = counts.get(colour, 0)
            if people:
                segments.append(Segment(colour, people, start / longest, people / longest))
                start += people
        bars.append(Bar(key, label, {c: counts.get(c, 0) for c in COLOURS}, sum(counts.values()), segments, known))
    return bars


@dataclass(frozen=True)
class CheckpointLoad:
    """Scans at one checkpoint in the last days, with the passes that need a second look."""

    name: str
    district: str
    scans: int
    disagreements: int
    blocked: int


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows for one area."""

    area: str | None
    today: date
    days: list
    districts: list
    checkpoints: list
    reports_open: int
    reports_overdue: int
    appeals_open: int
    appeals_overdue: int
    drug_sales: "DrugSaleCounts | None" = None


def overview(user: User, requested_area: str | None, lang: str) -> Overview:
    """The overview for the viewer's area (or a smaller one they picked); takes today's tally if missing."""
    area = resolve_area(user, requested_area)
    today, now = clock.local_today(), clock.now_utc()
    ensure_tally(today)
    return Overview(
        area,
        today,
        _day_bars(area, today),
        _district_bars(area, today, lang),
        _checkpoint_loads(area, today),
        *_open_reports(area, now),
        *_open_appeals(area, now),
        drug_sale_counts(area, today, lang),
    )


def _day_bars(area: str | None, today: date) -> list[Bar]:
    first = today - timedelta(days=CHART_DAYS - 1)
    query = (
        select(ColourTally.day, ColourTally.colour, func.sum(ColourTally.people))
        .where(ColourTally.day >= first, ColourTally.day <= today)
        .group_by(ColourTally.day, ColourTally.colour)
    )
    stored = {day: {} for day in db.session.scalars(select(ColourTally.day).distinct().where(ColourTally.day >= first))}
    if area is not None:
        query = query.where(district_in_area(ColourTally.district, area))
    for day, colour, people in db.session.execute(query):
        stored.setdefault(day, {})[colour] = int(people)
    days = [first + timedelta(days=n) for n in range(CHART_DAYS)]
    return stacked_bars([(day.isoformat(), str(day.day), stored.get(day, {}), day in stored) for day in days])


def _district_bars(area: str | None, today: date, lang: str) -> list[Bar]:
    query = select(ColourTally.district, ColourTally.colour, ColourTally.people).where(ColourTally.day == today)
    if area is not None:
        query = query.where(district_in_area(ColourTally.district, area))
    counts: dict[str, dict] = {}
    for district, colour, people in db.session.execute(query.order_by(ColourTally.district)):
        counts.setdefault(district, {})[colour] = int(people)
    return stacked_bars([(code, districts.name_of(code, lang), by_colour, True) for code, by_colour in counts.items()])


def _checkpoint_loads(area: str | None, today: date) -> list[CheckpointLoad]:
    since = clock.local_midnight_utc(today - timedelta(days=SCAN_DAYS - 1))
    scans = func.count(Scan.id)
    query = (
        select(
            Checkpoint.name,
            Checkpoint.district,
            scans,
            func.coalesce(func.sum(case((Scan.disagreement, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Scan.blocked_at.is_not(None), 1), else_=0)), 0),
        )
        .outerjoin(Scan, (Scan.checkpoint_id == Checkpoint.id) & (Scan.scanned_at >= since))
        .group_by(Checkpoint.id, Checkpoint.name, Checkpoint.district)
        .order_by(scans.desc(), Checkpoint.name)
    )
    if area is not None:
        query = query.where(district_in_area(Checkpoint.district, area))
    return [
        CheckpointLoad(name, district, *(int(n) for n in numbers))
        for name, district, *numbers in db.session.execute(query)
    ]


def _open_reports(area: str | None, now: datetime) -> tuple[int, int]:
    query = select(func.count(), func.coalesce(func.sum(case((Report.due_at < now, 1), else_=0)), 0)).where(
        Report.closed_at.is_(None)
    )
    if area is not None:
        query = query.where(district_in_area(Report.district, area))
    return tuple(int(n) for n in db.session.execute(query).one())  # PostgreSQL sums are Decimal


def _open_appeals(area: str | None, now: datetime) -> tuple[int, int]:
    query = select(func.count(), func.coalesce(func.sum(case((Appeal.due_at < now, 1), else_=0)), 0)).where(
        Appeal.state == "open"
    )
    if area is not None:
        query = query.join(User, User.id == Appeal.user_id).where(district_in_area(User.district, area))
    return tuple(int(n) for n in db.session.execute(query).one())  # PostgreSQL sums are Decimal


# --- fever-drug registrations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountBar:
    """One bar of a plain count: `length` is a fraction of the longest bar."""

    key: str
    label: str
    count: int
    length: float


@dataclass(frozen=True)
class DrugSaleCounts:
    """Fever-drug registrations in the area over the chart's days, by the buyers' districts."""

    days: list  # CountBar per day, oldest first (the area's total)
    districts: list  # CountBar per district with any registration (its total over the days)
    table: list  # (day, [count per district, in the order of `districts`], total) per day, newest first
    total: int


def _count_bars(items: list[tuple[str, str, int]]) -> list[CountBar]:
    longest = max((count for _key, _label, count in items), default=0) or 1
    return [CountBar(key, label, count, count / longest) for key, label, count in items]


def drug_sale_counts(area: str | None, today: date, lang: str) -> DrugSaleCounts:
    """Registrations per district per day for the last CHART_DAYS days (one GROUP BY), within the area."""
    first = today - timedelta(days=CHART_DAYS - 1)
    query = (
        select(DrugSale.district, DrugSale.day, func.count())
        .where(DrugSale.day >= first, DrugSale.day <= today)
        .group_by(DrugSale.district, DrugSale.day)
    )
    if area is not None:
        query = query.where(district_in_area(DrugSale.district, area))
    counts = {(district, day): int(n) for district, day, n in db.session.execute(query)}
    days = [first + timedelta(days=n) for n in range(CHART_DAYS)]
    codes = sorted({district for district, _day in counts})
    per_day = {day: sum(counts.get((code, day), 0) for code in codes) for day in days}
    return DrugSaleCounts(
        days=_count_bars([(day.isoformat(), str(day.day), per_day[day]) for day in days]),
        districts=_count_bars(
            [(code, districts.name_of(code, lang), sum(counts.get((code, day), 0) for day in days)) for code in codes]
        ),
        table=[(day, [counts.get((code, day), 0) for code in codes], per_day[day]) for day in reversed(days)],
        total=sum(per_day.values()),
    )


# --- audit log ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """What the audit search asks for; empty fields do not filter."""

    action: str = ""
    actor: str = ""
    subject: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_details(self) -> dict:
        """The filters that were set, as JSON-ready values (written with an export)."""
        return {
            name: value.isoformat() if isinstance(value, date) else value for name, value in vars(self).items() if value
        }


@dataclass(frozen=True)
class AuditRow:
    """One entry as shown: the subject only by masked name."""

    entry: AuditEntry
    actor_name: str
    actor_role: str
    subject_name: str | None


@dataclass(frozen=True)
class AuditPage:
    """One page of search results, newest first."""

    rows: list
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def known_actions() -> list[str]:
    """Actions that occur in the log (for the search's list), besides those the app labels."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def _person_matches(person, text: str):
    """A name containing the text, or a phone number containing it (digits only)."""
    text = text.strip()
    condition = person.name.contains(text, autoescape=True)
    if text.isdigit():
        condition = or_(condition, person.phone.contains(text, autoescape=True))
    return condition


def _audit_query(viewer: User, filters: AuditFilters):
    actor, subject, post = aliased(User), aliased(User), aliased(Checkpoint)
    query = (
        select(AuditEntry, actor.name, actor.role, subject.name)
        .join(actor, actor.id == AuditEntry.actor_id)
        .outerjoin(subject, subject.id == AuditEntry.subject_id)
        .outerjoin(post, post.id == actor.checkpoint_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    area = staff_area(viewer)
    if area is not None:
        query = query.where(
            or_(
                district_in_area(subject.district, area),
                district_in_area(actor.scope_district, area),
                district_in_area(post.district, area),
            )
        )
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        query = query.where(_person_matches(actor, filters.actor))
    if filters.subject:
        query = query.where(_person_matches(subject, filters.subject))
    if filters.date_from:
        query = query.where(AuditEntry.at >= clock.local_midnight_utc(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < clock.local_midnight_utc(filters.date_to + timedelta(days=1)))
    return query


def _row(entry, actor_name, actor_role, subject_name) -> AuditRow:
    return AuditRow(entry, actor_name or "", actor_role, mask_name(subject_name) if subject_name else None)


def search_audit(viewer: User, filters: AuditFilters, page: int = 1) -> AuditPage:
    """One page of entries the viewer may see that match the filters, newest first."""
    page = min(max(page, 1), AUDIT_MAX_PAGE)
    found = db.session.execute(
        _audit_query(viewer, filters).offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE + 1)
    ).all()
    return AuditPage([_row(*found_row) for found_row in found[:AUDIT_PAGE_SIZE]], page, len(found) > AUDIT_PAGE_SIZE)


def _cell(value) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_audit(viewer: User, filters: AuditFilters, labels) -> Iterator[str]:
    """Write the export itself to the audit log (committed now), then yield the matching entries as CSV.

    `labels(kind, value)` turns a role or action into words in the viewer's language.
    """
    audit.record(viewer.id, "export", None, "audit log CSV", filters=filters.as_details(), area=staff_area(viewer))
    db.session.commit()
    query = _audit_query(viewer, filters).execution_options(yield_per=500)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_("Time"), _("Staff member"), _("Role"), _("Action"), _("Person"), _("Why"), _("Details")])
        yield "\ufeff" + buffer.getvalue()  # the BOM lets spreadsheet programs read the Chinese as UTF-8
        for found in db.session.execute(query):
            row = _row(*found)
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        clock.to_local(row.entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                        row.actor_name,
                        labels("role", row.actor_role),
                        labels("action", row.entry.action),
                        row.subject_name or "",
                        row.entry.why,
                        json.dumps(row.entry.details or {}, ensure_ascii=False, sort_keys=True),
                    )
                ]
            )
            yield buffer.getvalue()

    return lines()
