"""The green channel desk (五个一): staff find or register a person without a phone by ID number, file the
epidemiological survey on their behalf (marked as filed by staff, shown to the holder), print a paper code; community
workers approve relatives without a phone in their district. Every look is audited."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Binding, Checkin, IssuedCode, User
from tests.helpers import ID_NUMBERS, fill_profile, sign_in, staff_client
from tests.test_relatives import ADULTS, _fix, add

CLINIC = "海口市人民医院发热门诊"


def clinician(app, phone="13800000201", name="王医生"):
    return staff_client(app, "clinician", phone, name=name)


def handler(app, phone="13800000202", area="460105", name="林网格"):
    return staff_client(app, "handler", phone, area, name=name)


def find(staff, number, lang=None):
    return staff.post("/desk/" + (f"?lang={lang}" if lang else ""), data={"id_number": number})


def ticket_from(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return re.fullmatch(r"/desk/people/([^/]+?)(/survey)?", response.headers["Location"]).group(1)


def register(staff, number=ADULTS[1], name="李阿婆", district="460105", address="海口市秀英区长滨路9号", lang=None):
    return staff.post(
        "/desk/register" + (f"?lang={lang}" if lang else ""),
        data={"doc_number": number, "name": name, "district": district, "address": address},
    )


def survey(staff, ticket, lang=None, **fields):
    page = staff.get(f"/desk/people/{ticket}/survey")
    record_id = re.search(r'name="uuid" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    data = {"uuid": record_id, "district": "460105", "temperature": "36.6", "contact_with_cases": "no", **fields}
    return staff.post(f"/desk/people/{ticket}/survey" + (f"?lang={lang}" if lang else ""), data=data)


def actions():
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def user_named(name):
    return db.session.scalar(select(User).where(User.name == name))


# --- finding a person -------------------------------------------------------------------------------------


def test_the_find_form_is_ready_for_a_card_reader(app):
    page = clinician(app).get("/desk/").get_data(as_text=True)
    form = re.search(r"<form[^>]*data-desk-find.*?</form>", page, re.S).group()
    assert len(re.findall(r"<input(?![^>]*type=\"hidden\")", form)) == 1  # one field: Enter submits the form
    assert "autofocus" in form and 'autocomplete="off"' in form and "<label" in form
    assert "读卡器" in page
    assert "card reader" in clinician(app, "13800000203").get("/desk/?lang=en").get_data(as_text=True)


def test_a_number_typed_by_a_card_reader_finds_the_person_and_the_lookup_is_audited(app, resident):
    staff = clinician(app)
    typed = " " + ID_NUMBERS[0][:6] + " " + ID_NUMBERS[0][6:] + "\r\n"
    ticket = ticket_from(find(staff, typed))
    page = staff.get(f"/desk/people/{ticket}").get_data(as_text=True)
    assert "张小明" in page and "460*************39" in page and "无手机" not in page
    assert actions()[-2:] == ["desk_lookup", "desk_view"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "desk_lookup"))
    assert entry.subject_id == user_named("张小明").id and entry.details["found"] is True


def test_a_lowercase_x_and_full_width_digits_are_read_as_the_number(app):
    staff = clinician(app)
    number = next(n for n in (_fix(f"46010519600101{k:03d}"[:17]) for k in range(100)) if n.endswith("X"))
    assert ticket_from(register(staff, number=number.lower()))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:17]) + "x"
    assert ticket_from(find(staff, full_width))


@pytest.mark.parametrize(
    "lang, words", [("zh", "身份证号码校验位不正确"), ("en", "The ID number is not valid (check digit)")]
)
def test_a_mistyped_number_is_refused_beside_the_field(app, lang, words):
    staff = clinician(app)
    response = find(staff, ID_NUMBERS[0][:17] + "0", lang=lang)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and words in html and 'id="id_number-error"' in html
    empty = find(staff, "", lang=lang)
    assert empty.status_code == 422
    assert find(staff, "x" * 5000).status_code == 422
    assert "desk_lookup" not in actions()


def test_an_unknown_number_offers_registration_with_the_number_filled_in(app):
    staff = clinician(app)
    response = find(staff, ADULTS[1].lower())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "尚无登记" in html
    assert f'value="{ADULTS[1]}"' in html and 'action="/desk/register"' in html
    assert re.search(r'<input[^>]*autofocus[^>]*name="name"|<input[^>]*name="name"[^>]*autofocus', html)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "desk_lookup"))
    assert entry.subject_id is None and entry.details["found"] is False


# --- registering a person without a phone -----------------------------------------------------------------


def test_registering_a_person_without_a_phone(app):
    staff = clinician(app)
    response = register(staff)
    assert response.headers["Location"].endswith("/survey")
    person = user_named("李阿婆")
    assert (person.phone, person.role, person.district, person.doc_kind) == (None, "resident", "460105", "resident_id")
    assert person.doc_sealed and ADULTS[1] not in (person.doc_masked or "")
    assert "desk_register" in actions()
    # the same number again is refused: look the person up instead
    again = register(staff)
    assert again.status_code == 422 and "已有登记" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.name == "李阿婆")) == 1


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("name", "李", "按身份证填写姓名"),
        ("name", "<script>", "按身份证填写姓名"),
        ("district", "999999", "请选择此人居住的区县"),
        ("address", "短", "请填写现住址"),
        ("number", ADULTS[1][:17] + ("1" if ADULTS[1][17] != "1" else "2"), "身份证号码校验位不正确"),
        ("number", "12345", "18"),
    ],
)
def test_bad_registrations_are_refused_beside_the_field_and_nothing_is_written(app, field, value, words):
    staff = clinician(app)
    response = register(staff, **{field: value})
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    assert user_named("李阿婆") is None and "desk_register" not in actions()


def test_a_registration_error_in_english(app):
    response = register(clinician(app), name="李", lang="en")
    assert response.status_code == 422 and "Please enter the name as on the ID card" in response.get_data(as_text=True)


def test_a_person_registered_at_the_desk_can_later_take_over_the_record_with_a_phone(app):
    register(clinician(app))
    newcomer = app.test_client()
    sign_in(newcomer, "13900000055")
    fill_profile(newcomer, name="李阿婆", doc_number=ADULTS[1])
    person = user_named("李阿婆")
    assert person.phone == "13900000055"


# --- the person's page and the desk ticket -----------------------------------------------------------------


def test_a_desk_ticket_is_good_only_for_the_staff_member_who_found_the_person(app, resident):
    staff = clinician(app)
    ticket = ticket_from(find(staff, ID_NUMBERS[0]))
    colleague = clinician(app, "13800000204", name="李医生")
    for path in ("", "/survey", "/paper", "/medical-card"):
        assert colleague.get(f"/desk/people/{ticket}{path}").status_code == 404, path
    for forged in ("x", ticket[:-2] + "AA", "a" * 600):
        assert staff.get(f"/desk/people/{forged}").status_code == 404
    english = staff.get("/desk/people/forged?lang=en").get_data(as_text=True)
    assert "look the person up again" in english


def test_a_desk_ticket_expires(app, resident, monkeypatch):
    staff = clinician(app)
    ticket = ticket_from(find(staff, ID_NUMBERS[0]))
    import time

    later = time.time() + app.config["DESK_TICKET_HOURS"] * 3600 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert staff.get(f"/desk/people/{ticket}").status_code == 404


# --- the epidemiological survey filed by staff ------------------------------------------------------------


def test_staff_file_the_survey_and_the_holder_sees_who_filed_it(app, resident):
    staff = clinician(app)
    ticket = ticket_from(find(staff, ID_NUMBERS[0]))
    form = staff.get(f"/desk/people/{ticket}/survey").get_data(as_text=True)
    assert "流行病学史调查" in form and "张小明" in form
    assert re.search(r'<option (selected value="460105"|value="460105" selected)', form)
    half_row = survey(staff, ticket, **{"visits-0-district": "460106", "visits-0-day": ""})
    assert half_row.status_code == 422 and 'id="survey-visits-error"' in half_row.get_data(as_text=True)
    response = survey(staff, ticket)
    assert response.headers["Location"] == f"/desk/people/{ticket}"
    checkin = db.session.scalar(select(Checkin))
    person, clinician_user = user_named("张小明"), user_named("王医生")
    assert (checkin.user_id, checkin.submitted_by_id, checkin.filed_by_id) == (
        person.id,
        clinician_user.id,
        clinician_user.id,
    )
    assert checkin.filed_at_id == clinician_user.institution_id and checkin.temperature == 36.6
    assert person.colour == "green"
    assert "desk_survey" in actions()
    history = resident.get("/checkin/history").get_data(as_text=True)
    assert f"由 {CLINIC} 王医生 代填" in history
    assert f"Filed by 王医生 at {CLINIC}" in resident.get("/checkin/history?lang=en").get_data(as_text=True)


def test_a_fever_filed_at_the_desk_turns_the_code_yellow_with_its_reason(app, resident):
    staff = clinician(app)
    ticket = ticket_from(find(staff, ID_NUMBERS[0]))
    survey(staff, ticket, temperature="38.6")
    assert user_named("张小明").colour == "yellow"
    page = staff.get(f"/desk/people/{ticket}").get_data(as_text=True)
    assert "黄码" in page and "非绿码的原因" in page


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"temperature": "45"}, "temperature", "请填写 34.0 至 43.0 °C 之间的体温"),
        ({"temperature": ""}, "temperature", "请填写 34.0 至 43.0 °C 之间的体温"),
        ({"district": "999999"}, "district", "请选择"),
        ({"contact_with_cases": ""}, "contact_with_cases", "接触"),
        ({"symptoms": ["made_up"]}, "symptoms", "症状"),
        ({"arrived": "y", "arrival_from": "110101"}, "arrival", "14"),
    ],
)
def test_bad_survey_answers_are_refused_beside_the_field_and_nothing_is_stored(app, resident, fields, field, words):
    staff = clinician(app)
    ticket = ticket_from(find(staff, ID_NUMBERS[0]))
    response = survey(staff, ticket, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="survey-{field}-error"' in html and words in html
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 0


def test_a_survey_error_in_english(app, resident):
    staff = clinician(app)
    ticket = ticket_from(find(staff, ID_NUMBERS[0]))
    html = survey(staff, ticket, lang="en", temperature="50").get_data(as_text=True)
    assert "Please enter a body temperature between 34.0 and 43.0 °C." in html


def test_submitting_the_same_survey_twice_stores_it_once(app, resident):
    staff = clinician(app)
    ticket = ticket_from(find(staff, ID_NUMBERS[0]))
    page = staff.get(f"/desk/people/{ticket}/survey").get_data(as_text=True)
    record_id = re.search(r'name="uuid" type="hidden" value="([^"]+)"', page).group(1)
    data = {"uuid": record_id, "district": "460105", "temperature": "36.5", "contact_with_cases": "no"}
    assert staff.post(f"/desk/people/{ticket}/survey", data=data).status_code == 302
    again = staff.post(f"/desk/people/{ticket}/survey", data=data, follow_redirects=True)
    assert "该调查已经保存过" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1


def test_a_guardian_sees_who_filed_a_relatives_survey(app, resident):
    assert add(resident, "王秀英", ADULTS[0]).status_code == 302
    from app.services import relatives

    binding = db.session.scalar(select(Binding))
    relatives.approve(binding.id, "林网格")
    worker = handler(app)
    ticket = ticket_from(find(worker, ADULTS[0]))
    survey(worker, ticket)
    page = resident.get("/checkin/history", query_string={"for": binding.dependant_id}).get_data(as_text=True)
    assert "由社区工作人员 林网格 代填" in page and "王*英" in page
    assert "由社区工作人员" not in resident.get("/checkin/history").get_data(as_text=True)


def test_nobody_else_reads_a_persons_check_in_history(app, resident):
    person = user_named("张小明")
    stranger = app.test_client()
    sign_in(stranger, "13900000009")
    fill_profile(stranger, name="李四", doc_number=ID_NUMBERS[1])
    assert stranger.get("/checkin/history", query_string={"for": person.id}).status_code == 404


# --- the paper code and the printed medical card ----------------------------------------------------------


def test_a_paper_code_is_printed_on_the_spot_once_the_survey_is_filed(app):
    staff = clinician(app)
    ticket = ticket_from(register(staff))
    refused = staff.post(f"/desk/people/{ticket}/paper", follow_redirects=True)
    assert "请先为其填写流行病学史调查" in refused.get_data(as_text=True)
    survey(staff, ticket)
    printed = staff.post(f"/desk/people/{ticket}/paper")
    assert printed.headers["Location"] == f"/desk/people/{ticket}/paper"
    page = staff.get(f"/desk/people/{ticket}/paper").get_data(as_text=True)
    assert "<svg" in page and "绿码" in page and "李*婆" in page and "纸质码" in page
    staff.post(f"/desk/people/{ticket}/paper")
    codes = db.session.scalars(
        select(IssuedCode).where(IssuedCode.kind == "paper").order_by(IssuedCode.issued_at)
    ).all()
    assert len(codes) == 2 and codes[0].revoked_at is not None and codes[1].revoked_at is None
    assert actions().count("desk_paper_code") == 2


def test_a_printed_medical_card_needs_a_phone_for_its_codes(app, resident):
    staff = clinician(app)
    ticket = ticket_from(register(staff))
    person_page = staff.get(f"/desk/people/{ticket}").get_data(as_text=True)
    assert "需要一部能接收验证码的手机" in person_page
    refused = staff.post(f"/desk/people/{ticket}/medical-card", follow_redirects=True)
    assert "无人能接收纸质就医卡的验证码" in refused.get_data(as_text=True)
    # someone with a phone of their own can have one: its codes go to that phone
    own = ticket_from(find(staff, ID_NUMBERS[0]))
    assert "打印纸质就医卡" in staff.get(f"/desk/people/{own}").get_data(as_text=True)
    page = staff.post(f"/desk/people/{own}/medical-card").get_data(as_text=True)
    assert "<svg" in page and "139****0001" in page
    assert "desk_medical_card" in actions()


# --- community workers act within their district ----------------------------------------------------------


def test_a_community_worker_serves_only_their_district(app):
    staff = clinician(app)
    register(staff, number=ADULTS[1], district="460106", name="李阿婆")
    worker = handler(app, area="460105")
    response = find(worker, ADULTS[1])
    assert response.status_code == 422
    assert "不在您的辖区内" in response.get_data(as_text=True) and "龙华区" in response.get_data(as_text=True)
    refused = register(worker, number=ADULTS[2], district="460106", name="赵阿公")
    assert refused.status_code == 422 and "只能登记居住在您辖区内的人员" in refused.get_data(as_text=True)
    assert ticket_from(register(worker, number=ADULTS[2], district="460105", name="赵阿公"))
    # a worker's ticket for someone who then moves away no longer opens them
    ticket = ticket_from(find(worker, ADULTS[2]))
    user_named("赵阿公").district = "460106"
    db.session.commit()
    assert worker.get(f"/desk/people/{ticket}").status_code == 404


def test_residents_and_wardens_have_no_desk(app, resident):
    from tests.test_scans import make_warden

    assert resident.get("/desk/").status_code == 403
    assert make_warden(app, "13800000209").post("/desk/", data={"id_number": ID_NUMBERS[0]}).status_code == 403
    supervisor = staff_client(app, "supervisor", "13800000210", "460100")
    assert supervisor.get("/desk/approvals").status_code == 403


# --- approving relatives without a phone ------------------------------------------------------------------


def pending(resident, name="王秀英", number=ADULTS[0]):
    assert add(resident, name, number).status_code == 302
    binding = db.session.scalar(select(Binding).join(User, User.id == Binding.dependant_id).where(User.name == name))
    assert binding.status == "pending_approval"
    return binding


def test_a_community_worker_approves_a_relative_in_their_district(app, resident):
    binding = pending(resident)
    assert resident.get("/api/medical-card", query_string={"for": binding.dependant_id}).status_code == 404
    worker = handler(app)
    page = worker.get("/desk/approvals").get_data(as_text=True)
    assert "王秀英" in page and "张*明" in page and "139****0001" in page
    assert actions().count("approvals_list") == 1
    response = worker.post(f"/desk/approvals/{binding.id}/approve", follow_redirects=True)
    assert "绑定已审核通过" in response.get_data(as_text=True)
    db.session.refresh(binding)
    assert (binding.status, binding.consent_method, binding.approved_by) == ("active", "approval", "林网格")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "binding_approved"))
    assert entry.actor_id == user_named("林网格").id and entry.subject_id == binding.dependant_id
    assert entry.details["binding_id"] == binding.id
    # the guardian can now act for the relative
    assert resident.get("/api/medical-card", query_string={"for": binding.dependant_id}).status_code == 200
    again = worker.post(f"/desk/approvals/{binding.id}/approve", follow_redirects=True)
    assert "没有等待审核的该绑定" in again.get_data(as_text=True)
    assert actions().count("binding_approved") == 1


def test_the_relatives_district_decides_which_worker_approves(app, resident):
    binding = pending(resident)
    binding.dependant.district = "460106"  # the relative lives in another county than the guardian
    db.session.commit()
    own_worker, guardians_worker = (
        handler(app, area="460106"),
        handler(app, "13800000205", area="460105", name="周网格"),
    )
    assert "王秀英" not in guardians_worker.get("/desk/approvals").get_data(as_text=True)
    refused = guardians_worker.post(f"/desk/approvals/{binding.id}/approve", follow_redirects=True)
    assert "没有等待审核的该绑定" in refused.get_data(as_text=True)
    db.session.refresh(binding)
    assert binding.status == "pending_approval" and "binding_approved" not in actions()
    assert "王秀英" in own_worker.get("/desk/approvals").get_data(as_text=True)
    own_worker.post(f"/desk/approvals/{binding.id}/approve")
    db.session.refresh(binding)
    assert binding.status == "active"


def test_approvals_in_english_and_for_unknown_bindings(app, resident):
    worker = handler(app)
    page = worker.get("/desk/approvals?lang=en").get_data(as_text=True)
    assert "No relatives are waiting for approval in your district." in page
    for value in ("999999", "2147483647"):
        response = worker.post(f"/desk/approvals/{value}/approve?lang=en", follow_redirects=True)
        assert "not waiting for approval in your district" in response.get_data(as_text=True)
    assert worker.post("/desk/approvals/99999999999/approve").status_code == 404


def test_the_command_line_approval_still_works(app, resident):
    binding = pending(resident)
    result = app.test_cli_runner().invoke(args=["relatives", "approve", str(binding.id), "--by", "林网格"])
    assert result.exit_code == 0, result.output
    db.session.refresh(binding)
    assert binding.status == "active"
