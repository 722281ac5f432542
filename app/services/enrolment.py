"""Staff enrolment by signed, expiring, single-use links (one role and scope each) and wardens' checkpoints."""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.domain import districts
from app.domain.vocabulary import INSTITUTION_ROLES
from app.extensions import db
from app.infra import audit, clock, links
from app.models import Checkpoint, StaffInvite, User
from app.models.user import STAFF_ROLES
from app.services import institutions
from app.services.errors import DomainError

_SALT = "staff-enrolment"
# Roles that work within an area: a handler for one county, a supervisor for a city or a county.
SCOPED_ROLES = ("handler", "supervisor")


class EnrolmentError(DomainError):
    """An invitation the rules do not allow."""

    messages = {
        "unknown_role": _l("Please check what you entered."),
        "scope": _l("Handlers need a district; supervisors need a city or a district."),
        "link_expired": _l("This enrolment link has expired. Please ask for a new one."),
        "link_used": _l("This enrolment link has already been used. Please ask for a new one."),
        "link_invalid": _l("This enrolment link is not valid."),
        "link_gone": _l("This link was already used or withdrawn."),
    }
    statuses = {"link_expired": 400, "link_used": 400, "link_invalid": 400}


def check_scope(role: str, scope_district: str | None) -> str | None:
    """The scope a role needs (a county for handlers, a city or county for supervisors), else EnrolmentError."""
    if role not in STAFF_ROLES:
        raise EnrolmentError("unknown_role", "role")
    if role not in SCOPED_ROLES:
        return None
    if not scope_district:
        raise EnrolmentError("scope", "scope_district")
    known = (
        districts.is_known(scope_district)
        if role == "handler"
        else (districts.is_area(scope_district) and not scope_district.endswith("0000"))
    )
    if not known:
        raise EnrolmentError("scope", "scope_district")
    return scope_district


def issue_invite(
    role: str, issued_by_id: int | None = None, scope_district: str | None = None, checkpoint_id: int | None = None
) -> tuple[StaffInvite, str]:
    """Record a new invitation and return it with its signed token (committed)."""
    scope = check_scope(role, scope_district)
    now = clock.now_utc()
    invite = StaffInvite(
        role=role,
        scope_district=scope,
        checkpoint_id=checkpoint_id if role == "warden" else None,
        issued_by_id=issued_by_id,
        issued_at=now,
        expires_at=now + timedelta(hours=current_app.config["ENROL_LINK_HOURS"]),
    )
    db.session.add(invite)
    db.session.flush()
    if issued_by_id is not None:
        audit.record(issued_by_id, "enrol_link", None, role, invite_id=invite.id, scope=scope)
    db.session.commit()
    return invite, links.sign(_SALT, {"invite": invite.id})


def enrolment_token(role: str, checkpoint_id: int | None = None, scope_district: str | None = None) -> str:
    """A signed token for enrolling as `role`, issued from the command line."""
    _, token = issue_invite(role, scope_district=scope_district, checkpoint_id=checkpoint_id)
    return token


def invite_lists(staff_roles) -> tuple[list[StaffInvite], list[User]]:
    """(the latest 50 invitations, the staff members in these roles) for the console."""
    invites = db.session.scalars(select(StaffInvite).order_by(StaffInvite.id.desc()).limit(50)).all()
    members = db.session.scalars(
        select(User).where(User.role.in_(tuple(staff_roles))).order_by(User.role, User.id)
    ).all()
    return invites, members


def read_enrolment_token(token: str) -> StaffInvite:
    """The unused invitation a token stands for; EnrolmentError when it has expired, was used or is not ours."""
    try:
        grant = links.read(_SALT, token, current_app.config["ENROL_LINK_HOURS"])
    except links.LinkInvalid as error:
        raise EnrolmentError("link_expired" if error.reason == "expired" else "link_invalid") from None
    invite = db.session.get(StaffInvite, grant.get("invite"))
    if invite is None or invite.revoked_at is not None:
        raise EnrolmentError("link_invalid")
    if invite.used_at is not None:
        raise EnrolmentError("link_used")
    return invite


def enrol(
    user: User,
    invite: StaffInvite,
    name: str,
    checkpoint: dict | None = None,
    institution: dict | int | None = None,
) -> None:
    """Give the user the invitation's role and scope, using the invitation up. Clinicians and pharmacists
    join an existing institution (its id) or register a new one (its fields, see institutions.new_institution)."""
    now = clock.now_utc()
    if invite.role == "warden":
        _make_warden(user, invite.checkpoint_id, checkpoint)
    if invite.role in INSTITUTION_ROLES:
        _join_institution(user, invite.role, institution)
    user.role, user.name, user.scope_district = invite.role, name.strip(), invite.scope_district
    invite.used_by_id, invite.used_at = user.id, now
    audit.record(
        user.id,
        "enrol",
        user.id,
        invite.role,
        invite_id=invite.id,
        scope=invite.scope_district,
        institution_id=user.institution_id,
    )
    db.session.commit()


def _join_institution(user: User, role: str, institution: dict | int | None) -> None:
    if isinstance(institution, dict):
        new = institutions.new_institution(role, **institution)
        db.session.add(new)
        db.session.flush()
        audit.record(user.id, "institution_registered", None, new.kind, institution_id=new.id)
        user.institution_id = new.id
    elif isinstance(institution, int):
        user.institution_id = institutions.joinable(role, institution).id
    else:
        raise institutions.InstitutionError("unknown", "institution_id")


def revoke_invite(invite_id: int, actor_id: int) -> None:
    """Withdraw an unused invitation; EnrolmentError("link_gone") when it was used or withdrawn already."""
    invite = db.session.get(StaffInvite, invite_id)
    if invite is None or invite.used_at is not None or invite.revoked_at is not None:
        raise EnrolmentError("link_gone")
    invite.revoked_at = clock.now_utc()
    audit.record(actor_id, "enrol_link_revoked", None, invite.role, invite_id=invite.id)
    db.session.commit()


def _make_warden(user: User, checkpoint_id: int | None, checkpoint: dict | None) -> None:
    if checkpoint_id is None:
        new = Checkpoint(created_at=clock.now_utc(), **checkpoint)
        db.session.add(new)
        db.session.flush()
        checkpoint_id = new.id
    user.checkpoint_id = checkpoint_id


def enrol_warden(user: User, name: str, checkpoint_id: int | None = None, checkpoint: dict | None = None) -> None:
    """Make the user a warden at an existing or new checkpoint without a link (demo data and tests)."""
    _make_warden(user, checkpoint_id, checkpoint)
    user.role, user.name = "warden", name.strip()
    db.session.commit()


def make_staff(
    user: User, role: str, name: str, scope_district: str | None = None, institution: dict | int | None = None
) -> None:
    """Give a user a staff role directly (demo data and tests; people enrol through links). Clinicians and
    pharmacists need an institution: an existing one's id or a new one's fields."""
    if role in INSTITUTION_ROLES:
        _join_institution(user, role, institution)
    user.role, user.name, user.scope_district = role, name, check_scope(role, scope_district)
    db.session.commit()
