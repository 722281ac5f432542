"""Pre-arrival registrations: from an invitation's link (no sign-in: the link went to that phone) or from
the app by a signed-in resident; one planned return per person (a new plan replaces the earlier one)."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select, update

from app.domain import districts
from app.domain import returning as rules
from app.domain.returning import NAME
from app.extensions import db
from app.infra import clock, links
from app.models import ReturnInvitation, ReturnRegistration, User
from app.models.returning import HEALTH_STATES
from app.services.checkins import TRANSPORTS
from app.services.returning import ReturnError
from app.services.returning.arrivals import open_registration, registrations_query
from app.services.returning.sending import INVITE_SALT


@dataclass(frozen=True)
class Plan:
    """What a returnee declares before travelling."""

    name: str
    planned_day: date | None
    from_district: str
    destination: str
    transport: str
    trip_number: str | None
    health: str


def plan_limits() -> tuple[date, date]:
    """The first and last day a return may be planned for."""
    return rules.plan_days(clock.local_today(), current_app.config["RETURN_PLAN_MAX_DAYS"])


def origins(lang: str) -> list[tuple[str, str]]:
    """Where a returnee may come from: every county outside the region."""
    region = current_app.config["HOME_REGION"]
    return [(code, name) for code, name in districts.choices(lang) if not districts.within(code, region)]


def destinations(lang: str) -> list[tuple[str, str]]:
    """Where in the region a returnee may stay."""
    region = current_app.config["HOME_REGION"]
    return [(code, name) for code, name in districts.choices(lang) if districts.within(code, region)]


def region_name(lang: str) -> str:
    return districts.name_of(current_app.config["HOME_REGION"], lang)


def checked(plan: Plan, lang: str) -> dict:
    """The plan's columns, normalised; ReturnError naming the field at fault."""
    region = current_app.config["HOME_REGION"]
    name = " ".join((plan.name or "").split())
    if not NAME.fullmatch(name):
        raise ReturnError("name", "name")
    first, last = plan_limits()
    if plan.planned_day is None or not first <= plan.planned_day <= last:
        raise ReturnError("planned_day", "planned_day", first=first.isoformat(), last=last.isoformat())
    if not districts.is_known(plan.from_district or "") or districts.within(plan.from_district, region):
        raise ReturnError("from_district", "from_district", region=region_name(lang))
    if not districts.is_known(plan.destination or "") or not districts.within(plan.destination, region):
        raise ReturnError("destination", "destination", region=region_name(lang))
    if plan.transport not in TRANSPORTS:
        raise ReturnError("transport", "transport")
    try:
        trip = rules.trip_number(plan.transport, plan.trip_number)
    except ValueError as problem:
        code = "trip_missing" if str(problem) == "missing" else "trip_malformed"
        raise ReturnError(code if plan.transport in rules.TRIP_REQUIRED else "trip_other", "trip_number") from None
    if plan.health not in HEALTH_STATES:
        raise ReturnError("health", "health")
    return {
        "name": name,
        "planned_day": plan.planned_day,
        "from_district": plan.from_district,
        "destination": plan.destination,
        "transport": plan.transport,
        "trip_number": trip,
        "health": plan.health,
    }


# --- from an invitation ------------------------------------------------------------------------------------


def read_invitation(token: str) -> ReturnInvitation:
    """The invitation a texted link stands for; ReturnError "link_expired" or "link_invalid"."""
    try:
        grant = links.read(INVITE_SALT, token, current_app.config["RETURN_LINK_HOURS"])
    except links.LinkInvalid as error:
        raise ReturnError("link_expired" if error.reason == "expired" else "link_invalid") from None
    invitation_id = grant.get("i")
    invitation = db.session.get(ReturnInvitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None:  # its list was discarded
        raise ReturnError("link_invalid")
    return invitation


def registration_for_invitation(invitation: ReturnInvitation) -> ReturnRegistration | None:
    return db.session.scalar(select(ReturnRegistration).where(ReturnRegistration.invitation_id == invitation.id))


def register_invited(token: str, plan: Plan, lang: str) -> ReturnRegistration:
    """Register from an invitation's link, once (ReturnError "already_registered" after that)."""
    invitation = read_invitation(token)
    if registration_for_invitation(invitation) is not None:
        raise ReturnError("already_registered")
    columns = checked(plan, lang)
    person = db.session.scalar(select(User).where(User.phone == invitation.phone))
    return _store(columns, person, invitation.phone, invitation.id)


# --- from the app ------------------------------------------------------------------------------------------


def register_own(user: User, plan: Plan, lang: str) -> ReturnRegistration:
    """A signed-in resident registers a planned return (no invitation needed)."""
    return _store(checked(plan, lang), user, user.phone, None)


def _store(columns: dict, person: User | None, phone: str | None, invitation_id: int | None) -> ReturnRegistration:
    now = clock.now_utc()
    if person is not None:
        earlier = registrations_query(person)
    else:
        earlier = select(ReturnRegistration).where(
            ReturnRegistration.user_id.is_(None), ReturnRegistration.phone == phone
        )
    earlier_ids = db.session.scalars(
        earlier.where(ReturnRegistration.status == "planned").with_only_columns(ReturnRegistration.id)
    ).all()
    if earlier_ids:
        db.session.execute(
            update(ReturnRegistration)
            .where(ReturnRegistration.id.in_(earlier_ids))
            .values(status="cancelled", updated_at=now)
            .execution_options(synchronize_session=False)
        )
    registration = ReturnRegistration(
        **columns,
        user_id=person.id if person is not None else None,
        invitation_id=invitation_id,
        phone=phone,
        status="planned",
        created_at=now,
        updated_at=now,
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def registrations_of(user: User, limit: int = 10) -> list[ReturnRegistration]:
    """The person's registrations, newest first."""
    return db.session.scalars(registrations_query(user).order_by(ReturnRegistration.id.desc()).limit(limit)).all()


def cancel(user: User, registration_id: int) -> ReturnRegistration:
    """Withdraw a planned return (ReturnError "registration_not_found" if not theirs, "not_planned")."""
    registration = db.session.scalar(registrations_query(user).where(ReturnRegistration.id == registration_id))
    if registration is None:
        raise ReturnError("registration_not_found")
    if registration.status != "planned":
        raise ReturnError("not_planned")
    registration.status, registration.updated_at = "cancelled", clock.now_utc()
    registration.user_id = user.id
    db.session.commit()
    return registration


def arrival_prefill(user: User) -> dict | None:
    """What the check-in form fills in for an arrival from the person's planned return: where from, the
    day (the planned day once it has come, today for an early arrival) and how; None when nothing is planned
    or the planned day lies further back than the rules read."""
    registration = open_registration(user)
    if registration is None:
        return None
    day = rules.arrival_day(registration.planned_day, clock.local_today())
    if day is None:
        return None
    return {
        "registration": registration.id,
        "from_district": registration.from_district,
        "day": day.isoformat(),
        "transport": registration.transport,
        "planned_day": registration.planned_day.isoformat(),
    }
