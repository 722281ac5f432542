"""Every route × every role: who may open it, who gets 403, and that anonymous callers must sign in.

The table below is the access policy; a route missing from it fails the test, so each new page
states who may use it.
"""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.enrolment import enrol_warden
from tests.helpers import fill_profile, sign_in, staff_client

ROLES = ("resident", "warden", "handler", "supervisor", "reviewer", "admin", "clinician", "pharmacist")
PUBLIC = "public"
SIGNED_IN = "signed_in"
CONSOLE = ("admin", "reviewer")
ACCESS = {
    "resident.index": SIGNED_IN,
    "static": PUBLIC,
    "pwa.jwks": PUBLIC,
    "api.csrf_token": PUBLIC,
    "api.code": ("resident",),
    "api.people": ("resident",),
    "api.checkins_batch": ("resident",),
    "api.scans_batch": ("warden",),
    "api.id_lookup": ("warden",),
    "api.identify": ("clinician", "pharmacist"),
    "api.care_batch": ("clinician", "pharmacist"),
    "clinic.index": ("clinician",),
    "clinic.observations": ("clinician",),
    "clinic.observation": ("clinician",),
    "clinic.add_entry": ("clinician",),
    "clinic.close_observation": ("clinician",),
    "pharmacy.index": ("pharmacist",),
    "pharmacy.sales": ("pharmacist",),
    "pharmacy.sale": ("pharmacist",),
    "api.trust_bundle": PUBLIC,  # public keys and revoked-code hashes, for any scanner
    "auth.sign_in": PUBLIC,
    "auth.verify": PUBLIC,
    "auth.sign_out": PUBLIC,  # tested in test_auth.py
    "auth.sign_out_everywhere": PUBLIC,  # tested in test_auth.py
    "resident.appeals": ("resident",),
    "resident.checkin": ("resident",),
    "resident.code": ("resident",),
    "resident.profile": ("resident",),
    "relatives.index": ("resident",),
    "relatives.consent": ("resident",),
    "relatives.end": ("resident",),
    "relatives.resend": ("resident",),
    "relatives.add": ("resident",),
    "relatives.paper": ("resident",),
    "staff.enrol": PUBLIC,
    "authority.index": CONSOLE,
    "authority.appeals": CONSOLE,
    "authority.appeal": CONSOLE,
    "authority.overrides": CONSOLE,
    "authority.decide_override": CONSOLE,
    "authority.control_list": ("admin",),
    "authority.control_upload": ("admin",),
    "authority.apply_control_upload": ("admin",),
    "authority.discard_control_upload": ("admin",),
    "authority.risk_areas": ("admin",),
    "authority.end_risk_area": ("admin",),
    "authority.staff_links": ("admin",),
    "authority.revoke_invite": ("admin",),
    "oversight.overview": ("admin", "supervisor"),
    "oversight.audit": ("admin", "supervisor"),
    "oversight.audit_export": ("admin", "supervisor"),
    "reports.index": ("resident",),
    "reports.new_clue": ("resident",),
    "reports.new_supervision": ("resident",),
    "reports.show": ("resident", "handler", "supervisor"),
    "reports.update": ("handler",),
    "reports.inbox": ("handler", "supervisor"),
    "reports.handle": PUBLIC,
    "warden.scan": ("warden",),
    "warden.records": ("warden",),
    "warden.trail": ("warden",),
    "warden.block": ("warden",),
    "dev.outbox": PUBLIC,
    "pwa.manifest": PUBLIC,
    "pwa.offline": PUBLIC,
    "pwa.service_worker": PUBLIC,
    # the code as the medical card, and the green channel desk (tests/test_medical_card.py, tests/test_desk.py)
    "api.medical_card": ("resident",),
    "resident.medical_card": ("resident",),
    "resident.print_medical_card": ("resident",),
    "resident.visits": ("resident",),
    "resident.checkin_history": ("resident",),
    "desk.index": ("clinician", "pharmacist", "handler"),
    "desk.register": ("clinician", "pharmacist", "handler"),
    "desk.person": ("clinician", "pharmacist", "handler"),
    "desk.survey": ("clinician", "pharmacist", "handler"),
    "desk.paper": ("clinician", "pharmacist", "handler"),
    "desk.printed_card": ("clinician", "pharmacist", "handler"),
    "desk.visits": ("clinician",),
    "desk.approvals": ("handler",),
    "desk.approve": ("handler",),
    # Enterprises: the pages of one enterprise are its head's alone (any other resident gets 404, see
    # tests/test_enterprise.py); the join link checks its token first (a bad one is 400 for everyone) and
    # then asks for a resident (tests/test_enterprise_roster.py).
    "enterprise.index": ("resident",),
    "enterprise.new": ("resident",),
    "enterprise.show": ("resident",),
    "enterprise.edit": ("resident",),
    "enterprise.join_code": ("resident",),
    "enterprise.renew_link": ("resident",),
    "enterprise.roster": ("resident",),
    "enterprise.roster_csv": ("resident",),
    "enterprise.remove_employee": ("resident",),
    "enterprise.survey": ("resident",),
    "enterprise.join": PUBLIC,
    "enterprise.leave": ("resident",),
    "enterprise.review_list": CONSOLE,
    "enterprise.review": CONSOLE,
    "enterprise.survey_results": CONSOLE,
    "returning.register": ("resident",),
    "returning.cancel": ("resident",),
    "returning.arrival": ("resident",),
    "returning.invited": PUBLIC,  # the texted link: the signed token is the permission (test_returning.py)
    "returning.upload_list": ("admin",),
    "returning.upload": ("admin",),
    "returning.send": ("admin",),
    "returning.progress": ("admin",),
    "returning.discard": ("admin",),
    "returning.arrivals_table": ("admin", "reviewer", "supervisor", "handler"),
    "resident.account": ("resident",),
    "resident.change_phone": ("resident",),
    "resident.confirm_phone": ("resident",),
    "resident.delete_account": ("resident",),
    "resident.send_deletion_code": ("resident",),
    "resident.account_deleted": PUBLIC,  # says the account is gone; holds nothing personal
    "auth.phone_help": ("admin", "handler"),
    "auth.phone_help_confirm": ("admin", "handler"),
    "info.index": PUBLIC,  # public information, no sign-in (tests/test_info.py)
    "api.info": PUBLIC,
    "authority.policies": ("admin",),
    "authority.end_policy": ("admin",),
}
# Pages that do not even reveal whether the record exists to those who may not see it: 404, not 403
# (test_reports.py shows the allowed roles reaching real records).
HIDDEN = {"reports.show"}
ARGUMENTS = {"IntegerConverter": 1, "IdConverter": 1, "AnyConverter": "approve", "PathConverter": "css/app.css"}
PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _requests(app):
    """(endpoint, method, path) for every route, with placeholder arguments."""
    urls = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        values = {
            name: ARGUMENTS.get(type(converter).__name__, PLACEHOLDER) for name, converter in rule._converters.items()
        }
        path = urls.build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


@pytest.fixture
def clients(app):
    """A signed-in client for every role."""
    made = {}
    resident = app.test_client()
    sign_in(resident, "13600000001")
    fill_profile(resident)
    made["resident"] = resident
    warden = app.test_client()
    sign_in(warden, "13600000002")
    enrol_warden(
        db.session.scalar(select(User).where(User.phone == "13600000002")),
        "赵值守",
        checkpoint={"name": "卡口", "kind": "mall", "address": "海口市长滨路8号", "district": "460105"},
    )
    made["warden"] = warden
    for number, role, area in (
        (3, "handler", "460105"),
        (4, "supervisor", "460100"),
        (5, "reviewer", None),
        (6, "admin", None),
        (7, "clinician", None),
        (8, "pharmacist", None),
    ):
        made[role] = staff_client(app, role, f"1360000000{number}", area)
    return made


def test_every_route_has_an_access_rule(app):
    missing = {endpoint for endpoint, _, _ in _requests(app)} - set(ACCESS)
    assert not missing, f"add these endpoints to ACCESS: {sorted(missing)}"


def test_each_role_reaches_exactly_its_pages(app, clients):
    anonymous = app.test_client()
    problems = []
    for endpoint, method, path in _requests(app):
        allowed = ACCESS[endpoint]
        if allowed == PUBLIC:
            continue
        response = anonymous.open(path, method=method)
        if path.startswith("/api/"):
            if response.status_code != 401:
                problems.append(("anonymous", method, path, response.status_code))
        elif not (response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in")):
            problems.append(("anonymous", method, path, response.status_code))
        for role, client in clients.items():
            response = client.open(path, method=method)
            denied = response.status_code == (404 if endpoint in HIDDEN else 403)
            if response.status_code >= 500:
                problems.append((role, method, path, response.status_code))
            elif allowed == SIGNED_IN or role in allowed:
                if response.status_code in (401, 403):
                    problems.append((role, method, path, response.status_code, "should be allowed"))
            elif not denied:
                problems.append((role, method, path, response.status_code, "should be 403"))
    assert not problems, "\n".join(map(str, problems))
