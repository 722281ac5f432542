"""Medical observation (医学观察): opened from an identified person on the clinician's device (care kind
`observation`, queued like any registration record), then followed at the desk, online: the institution's
list, one observation with its daily entries, today's entry, and closing with an outcome.

Every page that shows a person is audited; another institution's observations do not exist for its staff."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.domain.vocabulary import OBSERVATION_CASE_TYPES
from app.extensions import db
from app.infra import audit, clock
from app.infra.outbox import RecordResult, parse_day, parse_number
from app.models import Observation, ObservationEntry, User
from app.models.clinic import OBSERVATION_OUTCOMES
from app.services.care_records import CareKind
from app.services.clinic.errors import ClinicError
from app.services.clinic.fields import (
    AGE_RANGE,
    NOTE_LENGTH,
    ONSET_DAYS,
    START_DAYS,
    SYMPTOMS_LENGTH,
    age_of,
    local_day,
    parse_optional_text,
    parse_residence,
    parse_temperature,
    parse_yes_no,
    require_institution,
)
from app.services.colours import recolour

TRIGGER = "observation"  # the verdicts' trigger
CASE_NUMBER_LENGTH = 32
PAGE_SIZE = 50
MAX_PAGE = 1000


# --- opening (the care kind) -------------------------------------------------------------------------------


def parse_observation(payload: dict, record: dict, errors: dict, staff: User) -> None:
    """The seed's fields: age, case number, case type, onset date, current address, start date, dry cough,
    temperature, other symptoms, opinion."""
    day = local_day(record.get("recorded_at"))
    require_institution(staff, errors)
    person = db.session.get(User, record["person_id"]) if record.get("person_id") else None
    record["age"] = _parse_age(payload.get("age"), person, day, errors)
    record["case_number"] = parse_optional_text(payload.get("case_number"), CASE_NUMBER_LENGTH, "case_number", errors)
    case_type = payload.get("case_type")
    if case_type not in OBSERVATION_CASE_TYPES:
        errors["case_type"] = _("Please choose the case type.")
    record["case_type"] = case_type if isinstance(case_type, str) else None
    record["onset_date"] = _parse_onset(payload.get("onset_date"), day, errors)
    parse_residence(payload, record, errors)
    start = parse_day(payload.get("start_date"))
    if start is None or not day - timedelta(days=START_DAYS) <= start <= day:
        errors["start_date"] = _("The observation must start today or within the last %(days)s days.", days=START_DAYS)
    record["start_date"] = start
    record["dry_cough"] = parse_yes_no(payload.get("dry_cough"))
    if record["dry_cough"] is None:
        errors["dry_cough"] = _("Please answer whether the person has a dry cough.")
    record["temperature"] = parse_temperature(payload.get("temperature"), errors)
    record["other_symptoms"] = parse_optional_text(
        payload.get("other_symptoms"), SYMPTOMS_LENGTH, "other_symptoms", errors
    )
    record["opinion"] = parse_optional_text(payload.get("opinion"), NOTE_LENGTH, "opinion", errors)


def _parse_age(value, person: User | None, day: date, errors: dict) -> int | None:
    """The age staff entered (whole years), or the one the birth date on record gives when left empty."""
    if value is None or value == "":
        return age_of(person, day)
    age = parse_number(value, *AGE_RANGE, text=True)
    if age is None or age != int(age):
        errors["age"] = _(
            "Please enter the age in whole years (%(low)s to %(high)s).", low=AGE_RANGE[0], high=AGE_RANGE[1]
        )
        return None
    return int(age)


def _parse_onset(value, day: date, errors: dict) -> date | None:
    """The day symptoms began, if known: not after the record's day, at most ONSET_DAYS before it."""
    if value is None or value == "":
        return None
    onset = parse_day(value)
    if onset is None or not day - timedelta(days=ONSET_DAYS) <= onset <= day:
        errors["onset_date"] = _("The onset date must lie within the last %(days)s days.", days=ONSET_DAYS)
        return None
    return onset


def write_observations(staff: User, items: list, now: datetime) -> dict:
    """Open the observations in one insert (a person already under observation here gets an invalid answer),
    recolour the people, commit."""
    people = {record["person_id"] for _index, record, _print in items}
    open_here = set(
        db.session.scalars(
            select(Observation.person_id).where(
                Observation.institution_id == staff.institution_id,
                Observation.person_id.in_(people),
                Observation.closed_at.is_(None),
            )
        )
    )
    answers, rows = {}, []
    for index, record, print_ in items:
        if record["person_id"] in open_here:
            answers[index] = RecordResult(
                record["uuid"],
                "invalid",
                {"record": _("This person is already under observation here: add a daily entry on their page.")},
            )
            continue
        open_here.add(record["person_id"])
        answers[index] = RecordResult(record["uuid"], "stored")
        rows.append(
            {
                **{name: record[name] for name in _RECORD_COLUMNS},
                "payload_hash": print_,
                "institution_id": staff.institution_id,
                "staff_id": staff.id,
                "received_at": now,
            }
        )
    if rows:
        db.session.execute(insert(Observation), rows)
        recolour(sorted({row["person_id"] for row in rows}), trigger=TRIGGER, actor_id=staff.id)
    db.session.commit()
    return answers


_RECORD_COLUMNS = (
    "uuid",
    "person_id",
    "recorded_at",
    "age",
    "case_number",
    "case_type",
    "onset_date",
    "address",
    "district",
    "start_date",
    "dry_cough",
    "temperature",
    "other_symptoms",
    "opinion",
)

CARE_KINDS = {
    "observation": CareKind(model=Observation, parse=parse_observation, write=write_observations, roles=("clinician",))
}


# --- the desk's pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationRow:
    """One line of the institution's list."""

    id: int
    name: str
    age: int | None
    case_type: str
    start_date: date
    days: int  # days under observation, the first day counted (through the closing day once closed)
    closed_on: date | None
    outcome: str | None
    last_entry: date | None


@dataclass(frozen=True)
class ObservationPage:
    """A page of the list: open observations first (longest running first), then closed ones, newest first."""

    rows: list[ObservationRow]
    page: int
    has_next: bool


@dataclass(frozen=True)
class ObservationDetail:
    """One observation, its person and its entries (newest first)."""

    observation: Observation
    person: User
    days: int
    entries: list[ObservationEntry]
    entry_today: bool


def _require_institution(staff: User) -> int:
    if staff.institution_id is None:
        raise ClinicError("no_institution")
    return staff.institution_id


def _days_under(observation_start: date, closed_on: date | None, today: date) -> int:
    return max(0, ((closed_on or today) - observation_start).days + 1)


def observations_at(staff: User, page: int = 1) -> ObservationPage:
    """The people under observation at the staff member's institution (audited: the list shows names)."""
    institution = _require_institution(staff)
    page = min(max(page, 1), MAX_PAGE)
    today = clock.local_today()
    last_entry = (
        select(db.func.max(ObservationEntry.day))
        .where(ObservationEntry.observation_id == Observation.id)
        .scalar_subquery()
    )
    found = db.session.execute(
        select(Observation, User.name, last_entry)
        .join(User, User.id == Observation.person_id)
        .where(Observation.institution_id == institution)
        .order_by(
            Observation.closed_at.is_not(None),
            Observation.closed_at.desc(),
            Observation.start_date,
            Observation.id,
        )
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    rows = [
        ObservationRow(
            id=o.id,
            name=name or "",
            age=o.age,
            case_type=o.case_type,
            start_date=o.start_date,
            days=_days_under(o.start_date, o.closed_on, today),
            closed_on=o.closed_on,
            outcome=o.outcome,
            last_entry=entry_day,
        )
        for o, name, entry_day in found[:PAGE_SIZE]
    ]
    audit.record(
        staff.id,
        "observation_list",
        None,
        "observations page",
        institution_id=institution,
        page=page,
        observations=[row.id for row in rows],
    )
    db.session.commit()
    return ObservationPage(rows, page, len(found) > PAGE_SIZE)


def _own_observation(staff: User, observation_id: int) -> Observation:
    """The observation if it is this staff member's institution's; else not_found (as if it did not exist)."""
    institution = _require_institution(staff)
    observation = db.session.get(Observation, observation_id)
    if observation is None or observation.institution_id != institution:
        raise ClinicError("not_found")
    return observation


def observation_for(staff: User, observation_id: int) -> ObservationDetail:
    """One observation with its person and entries (audited)."""
    observation = _own_observation(staff, observation_id)
    today = clock.local_today()
    audit.record(
        staff.id,
        "observation_viewed",
        observation.person_id,
        "observation page",
        observation_id=observation.id,
        institution_id=observation.institution_id,
    )
    db.session.commit()
    entries = list(observation.entries)
    return ObservationDetail(
        observation=observation,
        person=observation.person,
        days=_days_under(observation.start_date, observation.closed_on, today),
        entries=entries,
        entry_today=any(entry.day == today for entry in entries),
    )


def add_entry(
    staff: User, observation_id: int, *, temperature, dry_cough, other_symptoms=None, note=None
) -> ObservationEntry:
    """Today's entry of an open observation (one a day)."""
    observation = _own_observation(staff, observation_id)
    if observation.closed_at is not None:
        raise ClinicError("closed")
    errors: dict[str, str] = {}
    measured = parse_temperature(temperature, errors)
    if measured is None:
        raise ClinicError("temperature", field="temperature")
    cough = parse_yes_no(dry_cough)
    if cough is None:
        raise ClinicError("dry_cough", field="dry_cough")
    other = parse_optional_text(other_symptoms, SYMPTOMS_LENGTH, "other_symptoms", errors)
    if errors:
        raise ClinicError("too_long", field="other_symptoms", limit=SYMPTOMS_LENGTH)
    note = parse_optional_text(note, NOTE_LENGTH, "note", errors)
    if errors:
        raise ClinicError("too_long", field="note", limit=NOTE_LENGTH)
    now = clock.now_utc()
    today = clock.to_local(now).date()
    if db.session.scalar(
        select(ObservationEntry.id).where(
            ObservationEntry.observation_id == observation.id, ObservationEntry.day == today
        )
    ):
        raise ClinicError("entry_exists")
    entry = ObservationEntry(
        observation_id=observation.id,
        staff_id=staff.id,
        recorded_at=now,
        day=today,
        temperature=measured,
        dry_cough=cough,
        other_symptoms=other,
        note=note,
    )
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:  # another desk recorded today's entry a moment ago
        db.session.rollback()
        raise ClinicError("entry_exists") from None
    return entry


def close_observation(staff: User, observation_id: int, *, outcome, note=None) -> Observation:
    """End an observation with its outcome; from today the person is no longer under observation (recoloured
    at once, audited)."""
    observation = _own_observation(staff, observation_id)
    if observation.closed_at is not None:
        raise ClinicError("already_closed")
    if outcome not in OBSERVATION_OUTCOMES:
        raise ClinicError("outcome", field="outcome")
    errors: dict[str, str] = {}
    note = parse_optional_text(note, NOTE_LENGTH, "note", errors)
    if errors:
        raise ClinicError("too_long", field="note", limit=NOTE_LENGTH)
    now = clock.now_utc()
    observation.closed_at, observation.closed_on = now, clock.to_local(now).date()
    observation.closed_by_id, observation.outcome, observation.closing_note = staff.id, outcome, note
    audit.record(
        staff.id,
        "observation_closed",
        observation.person_id,
        outcome,
        observation_id=observation.id,
        institution_id=observation.institution_id,
    )
    recolour([observation.person_id], trigger=TRIGGER, actor_id=staff.id)
    db.session.commit()
    return observation
