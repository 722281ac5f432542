"""Residents coming home (返琼健康登记): the authority's invitation lists (uploads.py), texting them in the
background (sending.py), pre-arrival registrations from a link or the app (registrations.py), and arrivals:
the check-in that declares one, and the expected arrivals per district and day (arrivals.py).

Every refusal is a ReturnError; its messages are here, the rejected rows' reasons included."""

from flask_babel import lazy_gettext as _l

from app.services.errors import DomainError

ROW_ERRORS = {
    "missing_columns": _l("the first line must name the phone column (phone or 手机号), or be a phone number"),
    "field_too_long": _l("a field is longer than %(limit)s characters"),
    "no_phone": _l("the phone number is missing"),
    "bad_phone": _l("%(value)s is not a mainland mobile number (11 digits starting with 1)"),
    "duplicate": _l("the same phone number as line %(line)s"),
    "already_invited": _l("this number is already on list %(upload)s and is not texted again"),
    "name_too_long": _l("the name is longer than %(limit)s characters"),
    "bad_name": _l("the name may contain only Chinese or Latin letters"),
}


class ReturnError(DomainError):
    """A list, an invitation link or a return registration the rules refuse."""

    messages = {
        **ROW_ERRORS,
        "bad_file": _l("The file must be a CSV file saved as UTF-8 or GBK text."),
        "upload_not_found": _l("This list does not exist."),
        "nothing_to_send": _l("No row of this list is valid, so there is nothing to send."),
        "already_sending": _l("This list is being sent right now."),
        "not_sendable": _l("This list was already sent or discarded."),
        "not_started": _l("Nobody has sent this list yet: send it from the console."),
        "not_discardable": _l("Only a list that was not sent can be discarded."),
        "link_expired": _l("This link has expired. Please sign in and register your return in the app."),
        "link_invalid": _l("This link is not valid."),
        "already_registered": _l(
            "Your return was already registered with this link. To change it, sign in with this phone number "
            "and open the return registration."
        ),
        "name": _l("Please enter your name as on your document (2 to 30 letters)."),
        "planned_day": _l("Please choose a date from %(first)s to %(last)s."),
        "from_district": _l("Please choose the county you are coming from (outside %(region)s)."),
        "destination": _l("Please choose where in %(region)s you will stay."),
        "transport": _l("Please choose how you will travel."),
        "trip_missing": _l("Please enter the flight or train number, such as HU7181 or G1234."),
        "trip_malformed": _l("This is not a flight or train number (such as HU7181 or G1234)."),
        "trip_other": _l("Use at most 12 letters and digits."),
        "health": _l("Please choose how you feel."),
        "registration_not_found": _l("This registration does not exist."),
        "not_planned": _l("This return already arrived or was cancelled."),
        "area": _l("Please choose an area you are responsible for."),
    }
    statuses = {
        "upload_not_found": 404,
        "registration_not_found": 404,
        "already_sending": 409,
        "not_sendable": 409,
        "not_started": 409,
        "not_discardable": 409,
        "nothing_to_send": 409,
        "not_planned": 409,
        "already_registered": 409,
        "link_expired": 400,
        "link_invalid": 400,
    }


def row_error_text(code: str, params: dict) -> str:
    """A rejected row's reason in the reader's language."""
    return ReturnError(code, **params).message
