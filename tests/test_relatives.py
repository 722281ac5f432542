"""Guardians and relatives: binding rules, consent, caps, ending, acting for them, paper codes."""

import json
import re

import pytest
from sqlalchemy import func, select

from app.domain import codes
from app.domain.scanning import jti_hash
from app.extensions import db
from app.models import Binding, Checkin, IssuedCode, SmsMessage, User
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, sign_in
from tests.test_scans import make_warden, post_scans, scan_record

CHILD = "460105201506011350"  # born 2015-06-01: under 14
ADULTS = [
    "460106195002021232",
    "460107194812120013",
    "460108195503031237",
    "46010519600101123X",
    "460105196502021236",
    "460106197001011237",
]


def _fix(number17):
    weights, chars = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], "10X98765432"
    return number17 + chars[sum(int(d) * w for d, w in zip(number17, weights)) % 11]


CHILD = _fix(CHILD[:17])
ADULTS = [_fix(n[:17]) for n in ADULTS]


def add(client, name, number, relationship="parent", phone="", lang=None):
    url = "/relatives/new" + (f"?lang={lang}" if lang else "")
    return client.post(
        url,
        data={
            "relationship": relationship,
            "name": name,
            "doc_kind": "resident_id",
            "doc_number": number,
            "phone": phone,
        },
    )


def binding_of(name):
    return db.session.scalar(select(Binding).join(User, User.id == Binding.dependant_id).where(User.name == name))


def last_code_to(phone):
    message = db.session.scalar(select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id.desc()))
    return re.search(r"\d{6}", message.body).group()


def test_a_child_is_bound_on_the_guardians_declaration(resident):
    response = add(resident, "张小宝", CHILD, relationship="child")
    assert response.status_code == 302
    binding = binding_of("张小宝")
    assert binding.status == "active" and binding.consent_method == "guardian_declaration"
    assert binding.dependant.phone is None and binding.dependant.doc_masked.endswith(CHILD[-2:])


def test_guardian_checks_in_for_the_child_and_shows_its_code(resident):
    add(resident, "张小宝", CHILD, relationship="child")
    child = binding_of("张小宝").dependant
    assert resident.get(f"/api/code?for={child.id}").status_code == 404  # no declaration yet
    answer = resident.post("/api/checkins/batch", json={"records": [checkin_record(subject=child.id)]}).get_json()
    assert answer["results"][0]["status"] == "stored"
    checkin = db.session.scalar(select(Checkin))
    assert checkin.user_id == child.id and checkin.submitted_by_id != child.id  # a proxy check-in, by whom
    view = resident.get(f"/api/code?for={child.id}").get_json()
    assert view["colour"] == "green" and view["masked_name"] == "张*宝" and view["kind"] == "dependant"
    claims = json.loads(codes.b64url_decode(codes.token_from_qr(view["qr_text"]).split(".")[1]))
    assert claims["knd"] == "dependant"
    people = resident.get("/api/people").get_json()["people"]
    assert [p["relationship"] for p in people] == ["self", "child"] and people[1]["id"] == child.id


def test_an_adult_with_a_phone_consents_by_sms_code(resident):
    response = add(resident, "张大山", ADULTS[0], phone="13700000001")
    binding = binding_of("张大山")
    assert binding.status == "pending_consent"
    assert response.headers["Location"] == f"/relatives/{binding.id}/consent"
    assert resident.get(f"/api/code?for={binding.dependant_id}").status_code == 403
    wrong = resident.post(f"/relatives/{binding.id}/consent", data={"code": "000000"})
    assert wrong.status_code == 422 and "还可尝试 4 次" in wrong.get_data(as_text=True)
    resident.post(f"/relatives/{binding.id}/consent", data={"code": last_code_to("13700000001")})
    db.session.refresh(binding)
    assert binding.status == "active" and binding.consent_method == "sms"


def test_an_adult_without_a_phone_waits_for_approval(app, resident):
    add(resident, "张阿婆", ADULTS[1], relationship="grandparent")
    binding = binding_of("张阿婆")
    assert binding.status == "pending_approval"
    runner = app.test_cli_runner()
    assert "1 waiting" in runner.invoke(args=["relatives", "pending"]).output
    result = runner.invoke(args=["relatives", "approve", str(binding.id), "--by", "网格员李"])
    assert result.exit_code == 0, result.output
    db.session.refresh(binding)
    assert binding.status == "active" and binding.approved_by == "网格员李"


@pytest.mark.parametrize(
    "case, zh, en",
    [
        ("self", "不能绑定本人", "cannot bind yourself"),
        ("twice", "已与您绑定", "already bound"),
        ("name", "姓名与该证件登记的不一致", "name does not match"),
        ("bad_id", "校验位", "check digit"),
    ],
)
def test_binding_mistakes_are_explained_in_both_languages(resident, case, zh, en):
    add(resident, "张小宝", CHILD, relationship="child")
    data = {
        "self": ("张小明", ID_NUMBERS[0]),
        "twice": ("张小宝", CHILD),
        "name": ("李小宝", CHILD),
        "bad_id": ("张大山", ADULTS[0][:-1] + ("1" if ADULTS[0][-1] != "1" else "2")),
    }[case]
    for lang, text in (("zh", zh), ("en", en)):
        page = add(resident, *data, relationship="child", lang=lang)
        assert page.status_code == 422 and text in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Binding)) == 1


def test_at_most_five_relatives_per_guardian(app, resident):
    app.config["CHILD_AGE"] = 100  # everyone counts as a child here, so no consent step
    for index, number in enumerate(ADULTS[:5]):
        assert add(resident, f"张{'一二三四五'[index]}", number).status_code == 302
    page = add(resident, "张六", ADULTS[5])
    assert page.status_code == 422 and "最多绑定 5 位亲属" in page.get_data(as_text=True)


def test_at_most_two_guardians_per_relative(app):
    clients = []
    for index in range(3):
        client = app.test_client()
        sign_in(client, f"1390000001{index}")
        fill_profile(client, name=f"王{'甲乙丙'[index]}", doc_number=ID_NUMBERS[index])
        clients.append(client)
    for client in clients[:2]:
        assert add(client, "张小宝", CHILD, relationship="child").status_code == 302
    page = add(clients[2], "张小宝", CHILD, relationship="child")
    assert page.status_code == 422 and "已有 2 位监护人" in page.get_data(as_text=True)


def test_ending_a_binding_stops_acting_for_them(resident):
    add(resident, "张小宝", CHILD, relationship="child")
    binding = binding_of("张小宝")
    resident.post(f"/relatives/{binding.id}/end")
    db.session.refresh(binding)
    assert binding.status == "ended" and binding.end_reason == "guardian"
    assert resident.get(f"/api/code?for={binding.dependant_id}").status_code == 403
    answer = resident.post("/api/checkins/batch", json={"records": [checkin_record(subject=binding.dependant_id)]})
    assert answer.get_json()["results"][0]["status"] == "invalid"


def test_a_relative_with_an_account_can_withdraw_consent(app, resident):
    relative = app.test_client()
    sign_in(relative, "13700000001")
    fill_profile(relative, name="张大山", doc_number=ADULTS[0])
    add(resident, "张大山", ADULTS[0], phone="")  # their account's phone receives the code
    binding = binding_of("张大山")
    assert binding.consent_phone == "13700000001"
    resident.post(f"/relatives/{binding.id}/consent", data={"code": last_code_to("13700000001")})
    assert "撤回授权" in relative.get("/relatives/").get_data(as_text=True)
    relative.post(f"/relatives/{binding.id}/end")
    db.session.refresh(binding)
    assert binding.status == "ended" and binding.end_reason == "withdrawn"


def test_a_guardian_cannot_act_for_someone_not_bound_to_them(app, resident):
    stranger = app.test_client()
    sign_in(stranger, "13900000002")
    fill_profile(stranger, name="李四", doc_number=ID_NUMBERS[1])
    stranger.post("/api/checkins/batch", json={"records": [checkin_record()]})
    stranger_id = db.session.scalar(select(User.id).where(User.phone == "13900000002"))
    assert resident.get(f"/api/code?for={stranger_id}").status_code == 403
    answer = resident.post("/api/checkins/batch", json={"records": [checkin_record(subject=stranger_id)]})
    assert answer.get_json()["results"][0]["errors"] == {"subject": "您不能为此人打卡。"}
    assert resident.get(f"/relatives/people/{stranger_id}/paper").status_code == 404
    assert resident.post(f"/relatives/people/{stranger_id}/paper").status_code == 404
    other_binding = db.session.scalar(select(func.max(Binding.id))) or 0
    assert resident.post(f"/relatives/{other_binding + 1}/end").status_code == 404


def test_paper_code_prints_and_a_reprint_revokes_the_old_one(app, resident):
    add(resident, "张阿婆", ADULTS[1], relationship="grandparent")
    binding = binding_of("张阿婆")
    app.test_cli_runner().invoke(args=["relatives", "approve", str(binding.id), "--by", "网格员李"])
    resident.post("/api/checkins/batch", json={"records": [checkin_record(subject=binding.dependant_id)]})
    url = f"/relatives/people/{binding.dependant_id}/paper"
    assert resident.post(url).status_code == 302
    page = resident.get(url).get_data(as_text=True)
    assert "<svg" in page and "纸质码" in page and "绿码" in page and "张*婆" in page
    first = db.session.scalar(select(IssuedCode).where(IssuedCode.kind == "paper"))
    assert (first.expires_at - first.issued_at).days == 7
    warden = make_warden(app)
    [answer] = post_scans(warden, scan_record(codes.qr_text(first.token))).get_json()["results"]
    assert answer["server"] == {"result": "pass", "reason": "ok", "colour": "green"}
    resident.post(url)
    db.session.refresh(first)
    assert first.revoked_reason == "reprinted"
    bundle = json.loads(codes.b64url_decode(resident.get("/api/trust-bundle").get_json()["bundle"].split(".")[1]))
    assert jti_hash(first.jti) in bundle["revoked"]
    [again] = post_scans(warden, scan_record(codes.qr_text(first.token))).get_json()["results"]
    assert again["server"]["reason"] == "revoked"


def test_an_adult_registered_by_a_relative_can_take_over_their_record_by_signing_up(app, resident):
    add(resident, "张阿婆", ADULTS[1], relationship="grandparent")
    person_id = binding_of("张阿婆").dependant_id
    own = app.test_client()
    sign_in(own, "13700000009")
    fill_profile(own, name="张阿婆", doc_number=ADULTS[1])
    person = db.session.get(User, person_id)
    assert person.phone == "13700000009"
    assert db.session.scalar(select(func.count()).select_from(User).where(User.name == "张阿婆")) == 1
    assert own.get("/api/people").get_json()["people"][0]["id"] == person_id
