"""The fields clinic records and forms share: bounded parsers that add a normalised value to a record or a
message to `errors` (never raising on odd input), and the choices the clinic's forms offer."""

from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _

from app.domain import districts
from app.domain.colours import symptom_labels
from app.domain.idcard import age_on
from app.domain.vocabulary import BODY_TEMPERATURE_C
from app.infra import clock
from app.infra.outbox import parse_number, parse_text
from app.models import User
from app.services.checkins import TEMPERATURE_MESSAGE
from app.services.colours import rule_set

NAME_LENGTH = (2, 30)  # a guardian's name, as a relative's
ADDRESS_LENGTH = 200
NOTE_LENGTH = 500
SYMPTOMS_LENGTH = 200  # "other symptoms" typed by staff
START_DAYS = 30  # an observation may be recorded as having started up to this many days before
ONSET_DAYS = 60  # the onset of symptoms may lie up to this many days back
AGE_RANGE = (0, 130)


def require_institution(staff: User, errors: dict) -> None:
    """Records are the institution's: staff without one (an unfinished enrolment) cannot send them."""
    if staff.institution_id is None:
        errors["record"] = _("This account belongs to no institution yet: please enrol again.")


def local_day(moment) -> date:
    """The region's day of a device time (today when the time itself was refused)."""
    return clock.to_local(moment).date() if moment is not None else clock.local_today()


def parse_temperature(value, errors: dict, field: str = "temperature") -> float | None:
    """A measured body temperature in BODY_TEMPERATURE_C, to a tenth of a degree."""
    temperature = parse_number(value, *BODY_TEMPERATURE_C, text=True)
    if temperature is None:
        errors[field] = str(TEMPERATURE_MESSAGE)
        return None
    return round(temperature, 1)


def parse_symptoms(value, errors: dict) -> list[str]:
    """Symptom codes from the rule set's list (the one list of them), sorted, each once."""
    known = {symptom.code for symptom in rule_set().symptoms}
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > len(known)
        or not all(isinstance(s, str) and s in known for s in value)
    ):
        errors["symptoms"] = _("Please choose symptoms from the list.")
        return []
    return sorted(set(value))


def parse_residence(payload: dict, record: dict, errors: dict) -> None:
    """`address` (required text) and `district` (a known district code) of where the person lives now."""
    address = parse_text(payload.get("address"), ADDRESS_LENGTH)
    address = address.strip() if address else ""
    if not address:
        errors["address"] = _(
            "Please enter the address where the person lives now (at most %(n)s characters).", n=ADDRESS_LENGTH
        )
    record["address"] = address
    district = payload.get("district")
    if not isinstance(district, str) or not districts.is_known(district):
        errors["district"] = _("Please choose the district where the person lives now.")
        district = None
    record["district"] = district


def parse_optional_text(value, limit: int, field: str, errors: dict) -> str | None:
    """Optional text: None when missing or blank, else trimmed, at most `limit` characters."""
    if value is None:
        return None
    text = parse_text(value, limit)
    if text is None:
        errors[field] = _("Please keep this under %(limit)s characters.", limit=limit)
        return None
    return text.strip() or None


def parse_yes_no(value) -> bool | None:
    """A yes/no answer: a checkbox's true/false or a choice's "yes"/"no"; None for anything else."""
    if isinstance(value, bool):
        return value
    return {"yes": True, "no": False}.get(value) if isinstance(value, str) else None


def age_of(person: User | None, day: date) -> int | None:
    """The person's age on `day`, if their birth date is on record."""
    return age_on(person.birth_date, day) if person is not None and person.birth_date else None


def is_child(person: User | None, day: date) -> bool:
    """Under CHILD_AGE on `day` (then staff type a guardian's name)."""
    age = age_of(person, day)
    return age is not None and age < current_app.config["CHILD_AGE"]


def form_options(lang: str) -> dict:
    """Choices the clinic's forms offer, in the user's language: districts, the rule set's symptoms, and the
    dates an observation's start and onset may take (today the latest)."""
    today = clock.local_today()
    return {
        "districts": districts.choices(lang),
        "symptoms": symptom_labels(rule_set(), lang),
        "today": today.isoformat(),
        "start_min": (today - timedelta(days=START_DAYS)).isoformat(),
        "onset_min": (today - timedelta(days=ONSET_DAYS)).isoformat(),
        "start_days": START_DAYS,
        "onset_days": ONSET_DAYS,
        "age_range": AGE_RANGE,
    }
