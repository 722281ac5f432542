"""What every clinic or pharmacy desk page shows about the institution (templates/_care_desk.html)."""

from app.domain import districts
from app.models import Institution
from app.web.i18n import lang
from app.web.staff.forms import INSTITUTION_KIND_LABELS


def desk_context(institution: Institution) -> dict:
    """The institution's name, kind and district for the desk's header, in the user's language."""
    return {
        "institution": institution,
        "institution_kind_label": INSTITUTION_KIND_LABELS[institution.kind],
        "institution_district": districts.name_of(institution.district, lang()),
    }
