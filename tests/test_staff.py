"""Staff enrolment from the console: single-use, expiring links with a role and an area; audited."""

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, User
from tests.helpers import sign_in, staff_client


def _link_from(page: str) -> str:
    import re

    return re.search(r'value="http://localhost(/staff/enrol/[^"]+)"', page).group(1)


def test_admin_issues_a_handler_link_that_enrols_once_with_its_district(app):
    admin = staff_client(app, "admin", "13700000001")
    page = admin.post("/authority/staff", data={"role": "handler", "scope_district": "460106"})
    assert page.status_code == 200 and "只能使用一次" in page.get_data(as_text=True)
    link = _link_from(page.get_data(as_text=True))

    newcomer = app.test_client()
    sign_in(newcomer, "13700000002")
    response = newcomer.post(link, data={"name": "林网格"})
    assert response.headers["Location"] == "/reports/inbox"
    user = db.session.scalar(select(User).where(User.phone == "13700000002"))
    assert (user.role, user.scope_district, user.name) == ("handler", "460106", "林网格")

    again = app.test_client()
    sign_in(again, "13700000003")
    page = again.get(link)
    assert page.status_code == 400 and "已被使用" in page.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["enrol_link", "enrol"]


def test_scoped_roles_need_a_fitting_area(app):
    admin = staff_client(app, "admin", "13700000001")
    page = admin.post("/authority/staff", data={"role": "handler", "scope_district": ""})
    assert page.status_code == 422 and "网格员需要选择区县" in page.get_data(as_text=True)
    # a handler works in one county, not a whole city
    assert admin.post("/authority/staff", data={"role": "handler", "scope_district": "460100"}).status_code == 422
    assert admin.post("/authority/staff", data={"role": "supervisor", "scope_district": "460100"}).status_code == 200


def test_withdrawn_links_no_longer_enrol(app):
    admin = staff_client(app, "admin", "13700000001")
    link = _link_from(admin.post("/authority/staff", data={"role": "reviewer"}).get_data(as_text=True))
    from app.models import StaffInvite

    invite_id = db.session.scalar(select(StaffInvite.id))
    admin.post(f"/authority/staff/invites/{invite_id}/revoke")
    newcomer = app.test_client()
    sign_in(newcomer, "13700000002")
    assert newcomer.get(link).status_code == 400
    again = admin.post(f"/authority/staff/invites/{invite_id}/revoke", follow_redirects=True)
    assert "该链接已被使用或已撤回" in again.get_data(as_text=True)


def test_only_admins_issue_links(app):
    for role, phone in (("reviewer", "13700000011"), ("supervisor", "13700000012")):
        client = staff_client(app, role, phone, "460100" if role == "supervisor" else None)
        assert client.post("/authority/staff", data={"role": "admin"}).status_code == 403
