"""Public reports (Hainan seed): filing, routing to the district's handlers by a signed SMS link, their
progress and result, and who may see what (the reporter's identity: only the handler and supervisors)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from app.domain import districts
from app.extensions import db
from app.infra import audit, clock, links
from app.infra.sms import SmsFailed, send_sms
from app.models import DrugSale, Report, ReportUpdate, User
from app.models.districts import district_in_area
from app.models.report import CLUE_CONDITIONS, REPORT_KINDS, SUPERVISION_TYPES
from app.services.errors import DomainError

log = logging.getLogger(__name__)

_SALT = "report-handling"
OPEN_STATES = ("submitted", "notified", "verifying")
CLOSED_STATES = ("resolved", "unfounded")
STEP_STATES = ("verifying",) + CLOSED_STATES  # what a handler may record

KIND_LABELS = {
    "clue": _l("Epidemic clue"),
    "supervision": _l("Supervision report"),
    "drug_check": _l("Fever-drug buyer home check"),
}
# 疫情线索提供: the seed's four conditions, in its order.
CONDITION_LABELS = {
    "stayed_in_epidemic_area": _l(
        "Stayed in Hubei or another area with ongoing local transmission in the last 14 days"
    ),
    "unprotected_contact": _l("Had unprotected contact with a suspected, confirmed, mild or asymptomatic case"),
    "symptoms": _l("Has fever, fatigue, dry cough or similar symptoms"),
    "none": _l("None of the above"),
}
# 疫情群众监督举报: the seed's five types.
TYPE_LABELS = {
    "movement": _l("Suspicious movement of people"),
    "gathering": _l("Gatherings"),
    "price_gouging": _l("Price gouging"),
    "counterfeit": _l("Counterfeit or substandard goods"),
    "unauthorised_resumption": _l("Resuming work, production or school against the rules"),
}
STATE_LABELS = {
    "submitted": _l("Submitted"),
    "notified": _l("Sent to the district's handler"),
    "verifying": _l("Being verified"),
    "resolved": _l("Dealt with"),
    "unfounded": _l("Not confirmed"),
}
assert tuple(CONDITION_LABELS) == CLUE_CONDITIONS and tuple(TYPE_LABELS) == SUPERVISION_TYPES


class ReportError(DomainError):
    """A report step or a handler's link the rules refuse."""

    messages = {
        "closed": _l("This report already has its result and cannot be changed."),
        "link_expired": _l("This link has expired. Please open the report from your report list."),
        "link_invalid": _l("This link is not valid."),
        # The forms offer only valid choices and the views check the handler first: never expected.
        "bad_report": _l("The report's kind, district, condition or type is not valid."),
        "bad_step": _l("This is not a step a report can take."),
        "not_handler": _l("Only the handler of the report's district can record its progress."),
    }
    statuses = {"closed": 409, "link_expired": 400, "link_invalid": 400, "not_handler": 403}


# --- filing and routing --------------------------------------------------------------------------------


def file_report(
    reporter: User,
    kind: str,
    *,
    district: str,
    place: str,
    description: str = "",
    suspect_name: str | None = None,
    condition: str | None = None,
    report_type: str | None = None,
) -> Report:
    """Store a resident's report and text its district's handlers the link; commits.
    ReportError("bad_report") for a kind, district, condition or type the forms do not offer."""
    if kind not in REPORT_KINDS or not districts.is_known(district):
        raise ReportError("bad_report")
    if (condition not in CLUE_CONDITIONS) if kind == "clue" else (report_type not in SUPERVISION_TYPES):
        raise ReportError("bad_report")  # a clue needs a condition, a supervision report a type
    now = clock.now_utc()
    report = Report(
        kind=kind,
        reporter_id=reporter.id,
        district=district,
        place=place.strip(),
        description=(description or "").strip(),
        suspect_name=suspect_name.strip() if kind == "clue" else None,
        condition=condition if kind == "clue" else None,
        report_type=report_type if kind == "supervision" else None,
        submitted_at=now,
        due_at=now + timedelta(hours=current_app.config["REPORT_DUE_HOURS"]),
        state="submitted",
    )
    db.session.add(report)
    db.session.flush()
    db.session.add(ReportUpdate(report_id=report.id, at=now, actor_id=None, state="submitted", note=""))
    route(report)
    db.session.commit()
    return report


def handlers_of(district: str) -> list[User]:
    """The handlers (网格员) responsible for a county."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == "handler", User.scope_district == district, User.phone.is_not(None))
            .order_by(User.id)
        )
    )


def route(report: Report) -> int:
    """Text every handler of the report's district the signed link (kind, district and link only — never
    who reported); the report is "notified" once one text went out. Returns how many went out."""
    handlers = handlers_of(report.district)
    body = sms_body(report, link_for(report))
    sent = 0
    for handler in handlers:
        try:
            send_sms(handler.phone, body, "report")
        except SmsFailed:
            continue
        sent += 1
    if sent:
        now = clock.now_utc()
        report.state, report.notified_at = "notified", now
        db.session.add(ReportUpdate(report_id=report.id, at=now, actor_id=None, state="notified", note=""))
    log.info(
        "report %s (%s, %s) routed: %d of %d handlers texted",
        report.id,
        report.kind,
        report.district,
        sent,
        len(handlers),
    )
    return sent


def link_for(report: Report) -> str:
    """The signed, expiring link a handler opens from the text message."""
    return url_for("reports.handle", token=links.sign(_SALT, {"report": report.id}), _external=True)


def sms_body(report: Report, link: str) -> str:
    """The handler's text, in the region's language: the kind, the district and the link."""
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        return _(
            "OneCode: new %(kind)s in %(district)s. Please verify it on site and record the result "
            "within %(hours)s hours: %(link)s",
            kind=str(KIND_LABELS[report.kind]),
            district=districts.name_of(report.district, language),
            hours=current_app.config["REPORT_DUE_HOURS"],
            link=link,
        )


def read_link(token: str) -> Report:
    """The report a handler's link stands for; ReportError when the link has expired or is not ours."""
    try:
        grant = links.read(_SALT, token, current_app.config["REPORT_LINK_HOURS"])
    except links.LinkInvalid as error:
        raise ReportError("link_expired" if error.reason == "expired" else "link_invalid") from None
    report = db.session.get(Report, grant.get("report"))
    if report is None:
        raise ReportError("link_invalid")
    return report


# --- who may see what ----------------------------------------------------------------------------------


def is_district_handler(user: User, report: Report) -> bool:
    """The user is a handler of the report's county."""
    return user.role == "handler" and bool(user.scope_district) and user.scope_district == report.district


def covers(user: User, report: Report) -> bool:
    """The user is a supervisor whose city or county holds the report's district."""
    return (
        user.role == "supervisor"
        and bool(user.scope_district)
        and districts.within(report.district, user.scope_district)
    )


def sees_reporter(user: User, report: Report) -> bool:
    """Only the district's handler and the supervisors covering it may see who reported."""
    return is_district_handler(user, report) or covers(user, report)


def visible_report(user: User, report_id: int) -> Report | None:
    """The report if this user may open it (its reporter, its handler, a supervisor covering it), else None."""
    report = db.session.get(Report, report_id)
    if report is None:
        return None
    if user.role == "resident" and report.reporter_id == user.id or sees_reporter(user, report):
        return report
    return None


def record_view(user: User, report: Report, via_link: bool = False) -> None:
    """Audit a staff member's look at a report (it shows the reporter's identity, and for a home check the
    buyer's, who is the entry's subject); commits."""
    subject = subject_of(report)
    if via_link:
        audit.record(user.id, "report_opened", subject, "sms link", report_id=report.id)
    else:
        audit.record(user.id, "report_viewed", subject, "report page", report_id=report.id)
    db.session.commit()


def reporter_of(report: Report) -> User:
    """Who filed the report: for the handler's and supervisors' eyes only (callers check sees_reporter)."""
    return db.session.get(User, report.reporter_id)


def staff_names(report: Report) -> dict[int, str]:
    """Names of the staff who recorded the report's steps (for staff pages, not the reporter's)."""
    ids = {step.actor_id for step in report.updates if step.actor_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def reports_of(user: User) -> list[Report]:
    """A resident's own reports, newest first."""
    return list(
        db.session.scalars(
            select(Report).where(Report.reporter_id == user.id).order_by(Report.submitted_at.desc(), Report.id.desc())
        )
    )


def is_overdue(report: Report, now: datetime) -> bool:
    """Past its due time and still without a result."""
    return report.closed_at is None and report.due_at < now


# --- handling -------------------------------------------------------------------------------------------


def record_step(report: Report, actor: User, state: str, note: str) -> ReportUpdate:
    """The handler's progress ("verifying") or result ("resolved"/"unfounded", which closes the report);
    ReportError("closed") when it already has a result (checked in the UPDATE itself, so two handlers cannot both close it),
    "bad_step" for an unknown state, "not_handler" for anyone but the district's handler."""
    if state not in STEP_STATES:
        raise ReportError("bad_step", field="state")
    if not is_district_handler(actor, report):
        raise ReportError("not_handler")
    now = clock.now_utc()
    values = {"state": state}
    if report.handler_id is None:
        values["handler_id"] = actor.id
    if state in CLOSED_STATES:
        values.update(closed_at=now, result=note)
    done = db.session.execute(
        update(Report)
        .where(Report.id == report.id, Report.closed_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        db.session.rollback()
        raise ReportError("closed")
    step = ReportUpdate(report_id=report.id, at=now, actor_id=actor.id, state=state, note=note)
    db.session.add(step)
    db.session.commit()
    db.session.refresh(report)
    return step


# --- inboxes --------------------------------------------------------------------------------------------


@dataclass
class Inbox:
    """A handler's or supervisor's reports: overdue first, then open, then recently closed."""

    overdue: list[Report]
    open: list[Report]
    closed: list[Report]
    closed_count: int
    unstaffed: set[str] = field(default_factory=set)  # districts listed here that have no handler

    @property
    def counts(self) -> dict[str, int]:
        return {"overdue": len(self.overdue), "open": len(self.open), "closed": self.closed_count}


def _in_area(user: User):
    """SQL condition: reports in the staff member's area (a handler's county, a supervisor's city or county)."""
    if user.role == "handler":
        return Report.district == user.scope_district
    return district_in_area(Report.district, user.scope_district)


def inbox_for(user: User, closed_limit: int = 20) -> Inbox:
    """What a handler or supervisor should look at, overdue first."""
    if user.role not in ("handler", "supervisor") or not user.scope_district:
        return Inbox([], [], [], 0)
    now = clock.now_utc()
    in_area = _in_area(user)
    still_open = list(
        db.session.scalars(select(Report).where(in_area, Report.closed_at.is_(None)).order_by(Report.due_at, Report.id))
    )
    closed = list(
        db.session.scalars(
            select(Report)
            .where(in_area, Report.closed_at.is_not(None))
            .order_by(Report.closed_at.desc(), Report.id.desc())
            .limit(closed_limit)
        )
    )
    closed_count = db.session.scalar(select(func.count(Report.id)).where(in_area, Report.closed_at.is_not(None)))
    waiting = {r.district for r in still_open if r.state == "submitted"}
    staffed = (
        set(
            db.session.scalars(
                select(User.scope_district).where(User.role == "handler", User.scope_district.in_(waiting))
            )
        )
        if waiting
        else set()
    )
    return Inbox(
        overdue=[r for r in still_open if r.due_at < now],
        open=[r for r in still_open if r.due_at >= now],
        closed=closed,
        closed_count=closed_count,
        unstaffed=waiting - staffed,
    )


# --- follow-ups of records made elsewhere (a pharmacy's fever-drug sale) --------------------------------


def subject_of(report: Report) -> int | None:
    """The person a home check is about (the buyer of the sale it follows up); None for residents' reports."""
    if report.drug_sale_id is None:
        return None
    return db.session.scalar(select(DrugSale.person_id).where(DrugSale.id == report.drug_sale_id))


def open_followups(rows: list[dict], now: datetime) -> list[int]:
    """Open a home check (kind drug_check) for each sale, `rows` of {drug_sale_id, reporter_id (the seller),
    district, place}, each with its "submitted" step: one INSERT per table in the caller's transaction. The
    caller commits and then texts the handlers with `route_many` (no text goes out inside a transaction).
    Returns the reports' ids in the rows' order."""
    if not rows:
        return []
    due = now + timedelta(hours=current_app.config["REPORT_DUE_HOURS"])
    table = Report.__table__
    ids = list(
        db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [
                {
                    "kind": "drug_check",
                    "reporter_id": row["reporter_id"],
                    "district": row["district"],
                    "place": row["place"],
                    "description": "",
                    "drug_sale_id": row["drug_sale_id"],
                    "submitted_at": now,
                    "due_at": due,
                    "state": "submitted",
                }
                for row in rows
            ],
        ).scalars()
    )
    _add_steps(ids, "submitted", now)
    return ids


def _add_steps(report_ids: list[int], state: str, now: datetime) -> None:
    if not report_ids:
        return
    db.session.execute(
        insert(ReportUpdate.__table__),
        [{"report_id": i, "at": now, "actor_id": None, "state": state, "note": ""} for i in report_ids],
    )


def route_many(report_ids: list[int]) -> int:
    """Text the handlers of each report's district its signed link, as `route` does for one report, for reports
    already committed: two queries, the texts, then one UPDATE and one INSERT of "notified" steps and one commit.
    A report no text reached stays "submitted" (the inboxes say so). Returns how many were notified."""
    if not report_ids:
        return 0
    found = list(db.session.scalars(select(Report).where(Report.id.in_(report_ids)).order_by(Report.id)))
    phones: dict[str, list[str]] = {}
    for district, phone in db.session.execute(
        select(User.scope_district, User.phone)
        .where(
            User.role == "handler",
            User.scope_district.in_({report.district for report in found}),
            User.phone.is_not(None),
        )
        .order_by(User.id)
    ):
        phones.setdefault(district, []).append(phone)
    notified = []
    for report in found:
        body, sent = sms_body(report, link_for(report)), 0
        for phone in phones.get(report.district, ()):
            try:
                send_sms(phone, body, "report")
            except SmsFailed:
                continue
            sent += 1
        if sent:
            notified.append(report.id)
        log.info(
            "report %s (%s, %s) routed: %d of %d handlers texted",
            report.id,
            report.kind,
            report.district,
            sent,
            len(phones.get(report.district, ())),
        )
    if notified:
        now = clock.now_utc()
        moved = db.session.execute(
            update(Report)
            .where(Report.id.in_(notified), Report.state == "submitted")  # a handler may already be on it
            .values(state="notified", notified_at=now)
            .returning(Report.id)
            .execution_options(synchronize_session=False)
        ).scalars()
        _add_steps(sorted(moved), "notified", now)
    db.session.commit()
    return len(notified)
