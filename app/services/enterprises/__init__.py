"""Enterprises back at work (单位企业复工复产), in three parts:

- `declarations`: a resident registers an enterprise and files its resumption declaration; the authority's staff
  (admins and reviewers, within their `scope_district` when one is set) approve it or return it with reasons.
- `employees`: an approved enterprise's signed join link; employees register under it; the roster with today's
  colours and its CSV export.
- `survey`: small and micro enterprises and individual businesses answer the resumption survey; the authority's
  results per district and industry.

The head of an enterprise is the resident who registered it (`Enterprise.head_id`): a capability of their
resident account, not a role, so they keep their own code, check-ins and relatives.
"""

from flask_babel import lazy_gettext as _l

from app.services.errors import DomainError


class EnterpriseError(DomainError):
    """A declaration, review, registration or survey answer the rules do not allow."""

    messages = {
        # the unified social credit code (app.domain.enterprises.check_credit_code)
        "credit_length": _l("The unified social credit code has 18 characters; you entered %(n)s."),
        "credit_character": _l(
            "Character %(position)s, “%(char)s”, cannot be in a unified social credit code: it uses digits and "
            "capital letters except I, O, S, V and Z."
        ),
        "credit_authority": _l(
            "A unified social credit code cannot start with “%(prefix)s”: its first two characters say who "
            "registered the body (for example 91 for a company, 92 for an individual business)."
        ),
        "credit_area": _l(
            "Characters 3 to 8 of the code are the 6-digit area code of the office that registered the body "
            "(for example 460100); “%(area)s” is not one."
        ),
        "credit_org_code": _l(
            "Characters 9 to 17 of the code (the organisation code) do not match their own check character: "
            "please compare them with the business licence."
        ),
        "credit_check": _l(
            "The last character of the code does not match the others: please compare the code with the "
            "business licence for a typing mistake."
        ),
        "credit_taken": _l(
            "An enterprise with this code is already registered. Ask the person who registered it, or call the "
            "hotline if you think it was registered by mistake."
        ),
        "individual_code": _l("An individual business's code starts with 92: please check the code or the size."),
        "not_individual": _l(
            "A code starting with 92 belongs to an individual business: please choose “Individual business”."
        ),
        # the other fields of a declaration
        "name": _l("Please enter the enterprise's full name as on its licence (2 to 100 characters)."),
        "district": _l("Please choose the district where the enterprise works."),
        "address": _l("Please enter the address (4 to 200 characters)."),
        "industry": _l("Please choose the industry from the list."),
        "scale": _l("Please choose the size from the list."),
        "employees": _l("Please enter the number of employees (1 to %(max)s)."),
        "contact_name": _l("Please enter the contact person's name (2 to 30 characters)."),
        "contact_phone": _l("Please enter an 11-digit mainland mobile number starting with 1."),
        "measures": _l("Please describe the prevention measures (10 to 2000 characters)."),
        "too_many": _l("One person may register at most %(n)s enterprises."),
        "locked": _l("An approved declaration cannot be changed. Ask the district's authority to return it first."),
        # reviews
        "decision": _l("Please choose whether to approve the declaration or return it."),
        "reasons": _l("Please say what the enterprise must fix (5 to 1000 characters)."),
        "already_approved": _l("This declaration is already approved."),
        "with_enterprise": _l("This declaration was returned: it waits for the enterprise to file it again."),
        "status": _l("Please choose a status from the list."),
        "area": _l("Please choose an area from the list."),
        "outside_area": _l("This is outside your area."),
        # joining and the roster
        "link_invalid": _l("This join link is not valid. Please ask the enterprise for its current link."),
        "link_expired": _l("This join link has expired. Please ask the enterprise for a new one."),
        "not_open": _l("This enterprise cannot take registrations now: its declaration is not approved."),
        "returned_from": _l("Please choose where you return from."),
        "returned_on": _l("Please enter the day you return to work: from %(first)s to %(last)s."),
        "department": _l("The department or post may have at most 50 characters."),
        "no_employee": _l("This person is not on the roster."),
        # the survey
        "not_sme": _l("The resumption survey is for small and micro enterprises and individual businesses."),
        "problems": _l("Please choose problems from the list."),
        "note": _l("Please write at most %(n)s characters."),
    }
    statuses = {
        "link_invalid": 400,
        "link_expired": 400,
        "not_open": 400,
        "already_approved": 409,
        "with_enterprise": 409,
        "outside_area": 403,
    }
