"""The code as the medical card (一码就医): the 就医码 a resident shows for themselves or a relative, the printed card
that opens only with a one-time SMS code, visits registered with it, and who sees which visits."""

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.infra import clock
from app.models import AuditEntry, Binding, MedicalCard, MedicalVisit, SmsMessage, User
from app.services import relatives
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, latest_code, sign_in, staff_client
from tests.test_relatives import ADULTS, add
from tests.test_scans import make_warden

GUARDIAN_PHONE = "13900000001"  # the `resident` fixture
SECOND_HOSPITAL = {
    "kind": "general_hospital",
    "name": "三亚市人民医院",
    "district": "460203",
    "address": "三亚市吉阳区解放路1号",
    "licence_number": "",
}


def clinician(app, phone="13800000101", institution=None, name="王医生"):
    return staff_client(app, "clinician", phone, name=name, institution=institution)


def identify(client, lang=None, **body):
    return client.post("/api/identify" + (f"?lang={lang}" if lang else ""), json=body)


def card(client, person_id=None, lang=None):
    query = {k: v for k, v in (("for", person_id), ("lang", lang)) if v is not None}
    return client.get("/api/medical-card", query_string=query)


def visit_record(ticket, **fields):
    record = {
        "uuid": str(uuid.uuid4()),
        "kind": "medical_visit",
        "ticket": ticket,
        "recorded_at": datetime.now(UTC).isoformat(),
        "department": "internal_medicine",
        "reason": "咳嗽三天，复诊",
    }
    record.update(fields)
    return record


def person(phone=None, name=None):
    where = User.phone == phone if phone else User.name == name
    return db.session.scalar(select(User).where(where))


def bound_relative(resident, name="王秀英", number=ADULTS[0]):
    """An adult relative without a phone, bound to the resident and approved by a community worker."""
    assert add(resident, name, number).status_code == 302
    binding = db.session.scalar(select(Binding).join(User, User.id == Binding.dependant_id).where(User.name == name))
    relatives.approve(binding.id, "林网格")
    return binding.dependant


# --- the 就医码 on the phone ---------------------------------------------------------------------------------


def test_the_card_carries_no_identity_and_only_its_hash_is_stored(app, resident):
    response = card(resident)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert re.fullmatch(r"YMTM1:[A-Za-z0-9_-]{43}", body["qr_text"])
    assert body["masked_name"] == "张*明"
    assert body["expires_at"] - body["issued_at"] == app.config["MEDICAL_CARD_SECONDS"]
    assert 0 < body["refresh_in"] < app.config["MEDICAL_CARD_SECONDS"]
    token = body["qr_text"].removeprefix("YMTM1:")
    row = db.session.scalar(select(MedicalCard))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (row.kind, row.person_id, row.requested_by_id) == ("live", row.person.id, row.person.id)
    assert token not in repr(
        db.session.execute(select(MedicalCard.__table__)).all()
    )  # only the hash is kept, nothing names the person in the QR
    assert "张" not in body["qr_text"] and ID_NUMBERS[0] not in body["qr_text"]


def test_a_clinic_resolves_the_card_to_the_person_and_the_look_is_audited(app, resident):
    qr_text = card(resident).get_json()["qr_text"]
    staff = clinician(app)
    response = identify(staff, qr_text=qr_text)
    assert response.status_code == 200, response.get_data(as_text=True)
    found = response.get_json()["person"]
    assert (found["name"], found["id_number"], found["via"]) == ("张小明", ID_NUMBERS[0], "medical_card")
    assert found["ticket"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "identify"))
    assert entry.subject_id == found["person_id"] and entry.details["via"] == "medical_card"
    # pharmacies are enrolled institutions too
    pharmacist = staff_client(app, "pharmacist", "13800000102")
    assert identify(pharmacist, qr_text=qr_text).status_code == 200


def test_only_enrolled_clinic_and_pharmacy_staff_resolve_a_card(app, resident):
    qr_text = card(resident).get_json()["qr_text"]
    assert identify(make_warden(app, "13800000103"), qr_text=qr_text).status_code == 403
    assert identify(resident, qr_text=qr_text).status_code == 403
    assert identify(app.test_client(), qr_text=qr_text).status_code == 401
    assert not db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "identify"))


def test_the_card_rotates_and_each_one_lasts_two_minutes(app, resident, monkeypatch):
    first = card(resident).get_json()["qr_text"]
    second = card(resident).get_json()["qr_text"]
    assert first != second
    staff = clinician(app)
    assert identify(staff, qr_text=first).status_code == 200  # the previous one still works until it expires
    later = clock.now_utc() + timedelta(seconds=app.config["MEDICAL_CARD_SECONDS"] + 1)
    monkeypatch.setattr(clock, "now_utc", lambda: later)
    for lang, words in (("zh", "已过期"), ("en", "expired")):
        response = identify(staff, qr_text=second, lang=lang)
        assert response.status_code == 410 and words in response.get_json()["message"]
    card(resident)  # a new card drops the person's expired ones
    assert db.session.scalar(select(func.count()).select_from(MedicalCard)) == 1


def test_unknown_or_damaged_cards_are_refused(app):
    staff = clinician(app)
    for text in ("YMTM1:" + "A" * 43, "YMTM1:short", "YMTM1:" + "!" * 43, "YMTM1:"):
        response = identify(staff, qr_text=text)
        assert response.status_code == 404, text
        assert "不是本系统签发的" in response.get_json()["message"]


def test_a_guardian_shows_a_relatives_card_and_nobody_else_can(app, resident):
    relative = bound_relative(resident)
    response = card(resident, relative.id)
    assert response.status_code == 200 and response.get_json()["masked_name"] == "王*英"
    found = identify(clinician(app), qr_text=response.get_json()["qr_text"]).get_json()["person"]
    assert found["person_id"] == relative.id
    stranger = app.test_client()
    sign_in(stranger, "13900000009")
    fill_profile(stranger, name="李四", doc_number=ID_NUMBERS[1])
    for lang, words in (("zh", "不能出示"), ("en", "cannot show")):
        refused = card(stranger, relative.id, lang=lang)
        assert refused.status_code == 404 and words in refused.get_json()["message"]


def test_a_card_shown_by_a_guardian_stops_working_once_the_binding_ends(app, resident):
    relative = bound_relative(resident)
    qr_text = card(resident, relative.id).get_json()["qr_text"]
    binding = db.session.scalar(select(Binding).where(Binding.dependant_id == relative.id))
    relatives.end_binding(person(GUARDIAN_PHONE), binding.id)
    assert identify(clinician(app), qr_text=qr_text).status_code == 404


def test_the_card_needs_a_profile(app, client):
    sign_in(client, "13900000002")
    for lang, words in (("zh", "实名"), ("en", "profile")):
        response = card(client, lang=lang)
        assert response.status_code == 409 and words in response.get_json()["message"]
    assert client.get("/medical-card").headers["Location"] == "/profile"


def test_the_card_page_holds_nothing_personal_and_says_it_needs_the_network(resident):
    for lang, words in (("zh", "需要联网"), ("en", "needs a network connection")):
        page = resident.get("/medical-card", query_string={"lang": lang}).get_data(as_text=True)
        assert json.dumps(words)[1:-1] in page  # in the page's strings for its script
        assert "张小明" not in page and json.dumps("张小明")[1:-1] not in page and "YMTM1:" not in page
        assert "medical-card-page.js" in page


def test_bad_query_ids_are_refused_without_issuing_a_card(app, resident):
    for value in ("abc", "0", "99999999999", "-1"):
        assert card(resident, value).status_code == 404, value
    assert card(resident, "2147483647").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(MedicalCard)) == 0


# --- the printed card for elderly people ------------------------------------------------------------------


def print_card(resident, relative_id, lang=None):
    query = {"for": relative_id, **({"lang": lang} if lang else {})}
    page = resident.post("/medical-card/print", query_string=query)
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    return html, re.search(r"YMTM1:[A-Za-z0-9_-]{43}", html)


def printed_qr(resident, relative_id):
    """The printed card's QR text, as a scanner would read it from the page's SVG: the test asks the service."""
    from app.services import medical_card

    return medical_card.print_for_relative(person(GUARDIAN_PHONE), relative_id).qr_text


def test_a_guardian_prints_a_card_page_that_names_where_its_codes_go(app, resident):
    relative = bound_relative(resident)
    assert "打印就医卡" in resident.get("/relatives/").get_data(as_text=True)
    form = resident.get("/medical-card/print", query_string={"for": relative.id})
    assert form.status_code == 200 and "王*英" in form.get_data(as_text=True)
    html, visible_text = print_card(resident, relative.id)
    assert "<svg" in html and "139****0001" in html and "不能再次显示" in html
    assert visible_text is None  # the token is only in the QR drawing
    english, _text = print_card(resident, relative.id, lang="en")
    assert "cannot be shown again" in english
    row = db.session.scalars(select(MedicalCard).order_by(MedicalCard.id)).all()
    assert [c.kind for c in row] == ["printed", "printed"] and row[0].revoked_at is not None
    assert (row[1].expires_at - row[1].created_at).days == app.config["MEDICAL_CARD_PRINTED_DAYS"]


def test_a_printed_card_opens_only_with_the_code_texted_to_the_guardian(app, resident):
    relative = bound_relative(resident)
    qr_text = printed_qr(resident, relative.id)
    staff = clinician(app)
    first = identify(staff, qr_text=qr_text)
    body = first.get_json()
    assert first.status_code == 428 and body["error"] == "sms_code_needed" and "139****0001" in body["message"]
    assert "person" not in body
    message = db.session.scalar(select(SmsMessage).order_by(SmsMessage.id.desc()))
    assert (message.phone, message.purpose) == (GUARDIAN_PHONE, "medcard") and "海口市人民医院" in message.body
    wrong = identify(staff, qr_text=qr_text, sms_code="000000" if latest_code(GUARDIAN_PHONE) != "000000" else "111111")
    assert wrong.status_code == 422 and "还可尝试 4 次" in wrong.get_json()["message"]
    right = identify(staff, qr_text=qr_text, sms_code=latest_code(GUARDIAN_PHONE))
    assert right.status_code == 200 and right.get_json()["person"]["person_id"] == relative.id
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["medical_card_code", "identify"]
    # the code was used up: it does not open the card a second time
    assert identify(staff, qr_text=qr_text, sms_code=latest_code(GUARDIAN_PHONE)).status_code == 422


def test_a_printed_cards_code_works_only_for_the_staff_member_it_was_sent_for(app, resident):
    relative = bound_relative(resident)
    qr_text = printed_qr(resident, relative.id)
    identify(clinician(app), qr_text=qr_text)
    other = clinician(app, "13800000104", name="李医生")
    assert identify(other, qr_text=qr_text, sms_code=latest_code(GUARDIAN_PHONE)).status_code == 422


def test_printed_card_codes_follow_the_sign_in_limits(app, resident):
    relative = bound_relative(resident)
    qr_text = printed_qr(resident, relative.id)
    staff = clinician(app)
    assert identify(staff, qr_text=qr_text).status_code == 428
    sent = db.session.scalar(select(func.count()).select_from(SmsMessage).where(SmsMessage.purpose == "medcard"))
    # scanning again within the minute reminds of the code already sent, and sends nothing
    again = identify(staff, qr_text=qr_text)
    assert again.status_code == 428 and "139****0001" in again.get_json()["message"]
    assert (
        db.session.scalar(select(func.count()).select_from(SmsMessage).where(SmsMessage.purpose == "medcard")) == sent
    )
    # five wrong codes use the code up; then no new code within the minute
    for _ in range(5):
        last = identify(
            staff, qr_text=qr_text, sms_code="999999" if latest_code(GUARDIAN_PHONE) != "999999" else "888888"
        )
    assert last.status_code == 422 and "错误次数过多" in last.get_json()["message"]
    limited = identify(staff, qr_text=qr_text, lang="en")
    assert limited.status_code == 429 and "Too many codes" in limited.get_json()["message"]


def test_reprinting_revokes_the_earlier_printed_card(app, resident):
    relative = bound_relative(resident)
    old = printed_qr(resident, relative.id)
    printed_qr(resident, relative.id)
    for lang, words in (("zh", "新的就医卡"), ("en", "replaced by a newer one")):
        response = identify(clinician(app), qr_text=old, lang=lang)
        assert response.status_code == 410 and words in response.get_json()["message"]


def test_odd_sms_codes_are_refused_without_a_crash(app, resident):
    relative = bound_relative(resident)
    qr_text = printed_qr(resident, relative.id)
    staff = clinician(app)
    for value in (123456, ["1"], {"a": 1}, True, "x" * 5000):
        assert identify(staff, qr_text=qr_text, sms_code=value).status_code in (400, 422, 428), value


def test_only_a_guardian_prints_a_relatives_card(app, resident):
    relative = bound_relative(resident)
    stranger = app.test_client()
    sign_in(stranger, "13900000009")
    fill_profile(stranger, name="李四", doc_number=ID_NUMBERS[1])
    refused = stranger.post("/medical-card/print", query_string={"for": relative.id})
    assert refused.status_code == 302 and refused.headers["Location"] == "/relatives/"
    assert stranger.get("/medical-card/print", query_string={"for": relative.id}).status_code == 404
    assert stranger.get("/medical-card/print").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(MedicalCard)) == 0


# --- visits -----------------------------------------------------------------------------------------------


def register_visit(staff, ticket, **fields):
    record = visit_record(ticket, **fields)
    response = staff.post("/api/care/batch", json={"records": [record]})
    assert response.status_code == 200, response.get_data(as_text=True)
    return record, response.get_json()["results"][0]


def test_a_clinic_registers_a_visit_by_the_card_and_the_resident_sees_it(app, resident):
    staff = clinician(app)
    ticket = identify(staff, qr_text=card(resident).get_json()["qr_text"]).get_json()["person"]["ticket"]
    record, result = register_visit(staff, ticket, department="paediatrics", reason="发热  一天")
    assert result == {"uuid": record["uuid"], "status": "stored"}
    visit = db.session.scalar(select(MedicalVisit))
    assert (visit.department, visit.reason, visit.institution.name) == (
        "paediatrics",
        "发热 一天",
        "海口市人民医院发热门诊",
    )
    # the same record again is a duplicate, changed content a conflict
    assert staff.post("/api/care/batch", json={"records": [record]}).get_json()["results"][0]["status"] == "duplicate"
    changed = {**record, "reason": "另一件事"}
    assert staff.post("/api/care/batch", json={"records": [changed]}).get_json()["results"][0]["status"] == "conflict"
    page = resident.get("/visits").get_data(as_text=True)
    assert "海口市人民医院发热门诊" in page and "儿科" in page and "发热 一天" in page
    english = resident.get("/visits?lang=en").get_data(as_text=True)
    assert "Paediatrics" in english


def test_bad_visit_records_are_invalid_with_messages_and_nothing_is_stored(app, resident):
    staff = clinician(app)
    ticket = identify(staff, qr_text=card(resident).get_json()["qr_text"]).get_json()["person"]["ticket"]
    records = [
        visit_record(ticket, department="dentistry"),
        visit_record(ticket, reason=""),
        visit_record(ticket, reason="x" * 201),
        visit_record(ticket, reason=["a"]),
        visit_record("forged-ticket"),
        visit_record(ticket, kind="unknown"),
        visit_record(ticket, recorded_at="yesterday"),
    ]
    for lang, words in (("zh", "请选择科室"), ("en", "choose the department")):
        results = staff.post(f"/api/care/batch?lang={lang}", json={"records": records}).get_json()["results"]
        assert [r["status"] for r in results] == ["invalid"] * len(records)
        assert words in results[0]["errors"]["department"]
    assert set(results[1]["errors"]) == {"reason"} and set(results[4]["errors"]) == {"ticket"}
    assert db.session.scalar(select(func.count()).select_from(MedicalVisit)) == 0


def test_pharmacists_cannot_register_medical_visits(app, resident):
    pharmacist = staff_client(app, "pharmacist", "13800000102")
    ticket = identify(pharmacist, qr_text=card(resident).get_json()["qr_text"]).get_json()["person"]["ticket"]
    _record, result = register_visit(pharmacist, ticket)
    assert result["status"] == "invalid" and set(result["errors"]) == {"kind"}


def test_one_person_one_code_across_institutions_and_each_clinic_sees_only_its_own(app, resident):
    first = clinician(app)
    second = clinician(app, "13800000105", institution=SECOND_HOSPITAL, name="陈医生")
    for staff, reason in ((first, "头痛"), (second, "体检复查")):
        ticket = identify(staff, qr_text=card(resident).get_json()["qr_text"]).get_json()["person"]["ticket"]
        register_visit(staff, ticket, reason=reason)
    page = resident.get("/visits").get_data(as_text=True)
    assert "海口市人民医院发热门诊" in page and "三亚市人民医院" in page
    own = first.get("/desk/visits").get_data(as_text=True)
    assert "头痛" in own and "体检复查" not in own and "张小明" in own
    other = second.get("/desk/visits").get_data(as_text=True)
    assert "体检复查" in other and "头痛" not in other
    seen = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "visit_list")).all()
    assert len(seen) == 2 and {e.subject_id for e in seen} == {person(GUARDIAN_PHONE).id}
    # a ticket from one clinic's lookup is worthless to another clinic's staff
    ticket = identify(first, qr_text=card(resident).get_json()["qr_text"]).get_json()["person"]["ticket"]
    _record, result = register_visit(second, ticket)
    assert result["status"] == "invalid" and "ticket" in result["errors"]


def test_the_institutions_visit_list_pages_and_bounds_its_page(app, resident):
    staff = clinician(app)
    ticket = identify(staff, qr_text=card(resident).get_json()["qr_text"]).get_json()["person"]["ticket"]
    staff.post("/api/care/batch", json={"records": [visit_record(ticket, reason=f"第{n}次") for n in range(51)]})
    first = staff.get("/desk/visits").get_data(as_text=True)
    assert "第50次" in first and "第0次" not in first and "page=2" in first
    second = staff.get("/desk/visits?page=2&lang=en").get_data(as_text=True)
    assert "第0次" in second and "Newer" in second
    assert staff.get("/desk/visits?page=abc").status_code == 404
    assert staff.get("/desk/visits?page=2147483647").status_code == 200


def test_a_guardian_sees_a_relatives_visits_and_nobody_else_does(app, resident):
    relative = bound_relative(resident)
    staff = clinician(app)
    ticket = identify(staff, qr_text=card(resident, relative.id).get_json()["qr_text"]).get_json()["person"]["ticket"]
    register_visit(staff, ticket, reason="高血压复诊")
    page = resident.get("/visits", query_string={"for": relative.id}).get_data(as_text=True)
    assert "高血压复诊" in page and "王*英" in page
    assert "高血压复诊" not in resident.get("/visits").get_data(as_text=True)
    stranger = app.test_client()
    sign_in(stranger, "13900000009")
    fill_profile(stranger, name="李四", doc_number=ID_NUMBERS[1])
    assert stranger.get("/visits", query_string={"for": relative.id}).status_code == 404


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_visit_form_partial_follows_the_care_form_rules(app, lang):
    from flask import render_template

    with app.test_request_context(f"/clinic/?lang={lang}"):
        html = render_template("clinic/_medical_visit_form.html")
    assert 'data-care-form="medical_visit"' in html and "hidden" in html and "novalidate" in html
    assert 'name="department"' in html and 'name="reason"' in html and "required" in html
    assert ("内科" if lang == "zh" else "Internal medicine") in html
    assert html.count("<label") == 2


def test_a_checkin_keeps_the_card_working(app, resident):
    """The card is about who the person is, not their colour: it works before and after any declaration."""
    staff = clinician(app)
    assert identify(staff, qr_text=card(resident).get_json()["qr_text"]).get_json()["person"]["colour"] is None
    resident.post("/api/checkins/batch", json={"records": [checkin_record()]})
    assert identify(staff, qr_text=card(resident).get_json()["qr_text"]).get_json()["person"]["colour"] == "green"


@pytest.mark.parametrize("settings", [{"RATELIMIT_ENABLED": True}])
def test_asking_for_cards_is_rate_limited_per_person(app, resident):
    for _ in range(30):
        assert card(resident).status_code == 200
    refused = card(resident)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    other = app.test_client()
    sign_in(other, "13900000009")
    fill_profile(other, name="李四", doc_number=ID_NUMBERS[1])
    assert card(other).status_code == 200  # someone else behind the same address is not held up


def test_a_failed_text_message_is_a_clear_answer_and_the_card_stays_closed(app, resident):
    relative = bound_relative(resident)
    qr_text = printed_qr(resident, relative.id)
    staff = clinician(app)
    app.config.update(SMS_BACKEND="http", SMS_GATEWAY_URL="http://127.0.0.1:9/", SMS_GATEWAY_TIMEOUT=1)
    response = identify(staff, qr_text=qr_text, lang="en")
    assert response.status_code == 503 and "could not be sent" in response.get_json()["message"]
    assert "person" not in response.get_json()
