"""Risk areas in the console: declare, end early, history; people who were there are recoloured at once."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.infra import clock
from app.models import AuditEntry, IssuedCode, RiskArea, User, Verdict
from tests.helpers import checkin_record, staff_client


def _resident_with_code(resident, district="460105"):
    resident.post("/api/checkins/batch", json={"records": [checkin_record(district=district)]})
    return resident.get("/api/code").get_json()


def test_declaring_a_city_turns_people_who_checked_in_there_yellow_and_revokes_their_codes(app, resident):
    code = _resident_with_code(resident, "460105")  # a county of Haikou
    assert code["colour"] == "green"
    admin = staff_client(app, "admin", "13700000001")
    today = clock.local_today().isoformat()
    page = admin.post(
        "/authority/risk-areas", data={"district": "460100", "level": "high", "start": today}, follow_redirects=True
    )
    text = page.get_data(as_text=True)
    assert "海南省海口市" in text and "1 人的健康码颜色发生变化" in text
    person = db.session.scalar(select(User).where(User.role == "resident"))
    assert person.colour == "yellow"
    verdict = db.session.get(Verdict, person.verdict_id)
    area = db.session.scalar(select(RiskArea))
    assert verdict.trigger == f"risk_area:{area.id}" and verdict.triggered_by_id is not None
    assert db.session.scalar(select(IssuedCode.revoked_at).where(IssuedCode.user_id == person.id)) is not None
    fresh = resident.get("/api/code").get_json()
    assert fresh["colour"] == "yellow" and any("风险" in r["text"] for r in fresh["reasons"])
    assert db.session.scalar(select(AuditEntry.action)) == "risk_area_added"


def test_ending_an_area_early_keeps_it_in_history(app, resident):
    _resident_with_code(resident, "460105")
    admin = staff_client(app, "admin", "13700000001")
    start = (clock.local_today() - timedelta(days=3)).isoformat()
    admin.post("/authority/risk-areas", data={"district": "460105", "level": "medium", "start": start})
    area = db.session.scalar(select(RiskArea))
    page = admin.post(f"/authority/risk-areas/{area.id}/end", follow_redirects=True).get_data(as_text=True)
    assert "已解除" in page
    db.session.refresh(area)
    assert area.end == clock.local_today() - timedelta(days=1) and area.ended_early_at is not None
    assert "提前解除" in page  # listed under history
    again = admin.post(f"/authority/risk-areas/{area.id}/end", follow_redirects=True).get_data(as_text=True)
    assert "已经解除" in again


def test_bad_risk_area_input_is_refused_in_the_users_language(app):
    admin = staff_client(app, "admin", "13700000001")
    page = admin.post("/authority/risk-areas", data={"district": "999999", "level": "high", "start": "2026-11-22"})
    assert page.status_code == 422
    page = admin.post("/authority/risk-areas", data={"district": "460105", "level": "high", "start": "yesterday"})
    assert page.status_code == 422 and "2026-11-22" in page.get_data(as_text=True)
    page = admin.post(
        "/authority/risk-areas?lang=en",
        data={"district": "460105", "level": "high", "start": "2026-11-22", "end": "2026-11-01"},
    )
    assert page.status_code == 422 and "The end date is before the start date." in page.get_data(as_text=True)
    assert db.session.scalar(select(RiskArea)) is None


def test_only_admins_manage_risk_areas(app):
    reviewer = staff_client(app, "reviewer", "13700000002")
    assert reviewer.get("/authority/risk-areas").status_code == 403
    assert reviewer.post("/authority/risk-areas/1/end").status_code == 403
