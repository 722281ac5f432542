"""Why a clinic's use-case refuses (the one DomainError subclass of the clinic area)."""

from flask_babel import lazy_gettext as _l

from app.services.checkins import TEMPERATURE_MESSAGE
from app.services.errors import DomainError


class ClinicError(DomainError):
    """A refused observation page or action."""

    messages = {
        "not_found": _l("This observation does not exist, or it belongs to another institution."),
        "no_institution": _l("This account belongs to no institution yet: please enrol again."),
        "closed": _l("This observation is closed: no more entries can be added."),
        "already_closed": _l("This observation has already been closed."),
        "entry_exists": _l("Today's entry has already been recorded for this observation."),
        "temperature": TEMPERATURE_MESSAGE,
        "dry_cough": _l("Please answer whether the person has a dry cough."),
        "too_long": _l("Please keep this under %(limit)s characters."),
        "outcome": _l("Please choose how the observation ends."),
    }
    statuses = {"not_found": 404, "no_institution": 403, "closed": 409, "already_closed": 409, "entry_exists": 409}
