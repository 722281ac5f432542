"""Fever clinics and medical observation, through what clinicians and residents see: the fever-clinic visit
and the observation records (queued on the clinician's device, sent to /api/care/batch), the colours they
give (rule kinds fever_clinic_visit and under_observation), the observation pages, and bad input of every kind."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.domain.idcard import check_character
from app.extensions import db
from app.infra import clock
from app.models import AuditEntry, FeverVisit, Observation, ObservationEntry, User, Verdict
from app.services.colours import candidates, recolour, recolour_all
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, sign_in, staff_client

EN = {"Accept-Language": "en"}
OTHER_HOSPITAL = {
    "kind": "general_hospital",
    "name": "三亚市人民医院",
    "district": "460202",
    "address": "三亚市解放路558号",
    "licence_number": "",
}


def child_id_number(born: str = "20180101", serial: int = 123) -> str:
    """A valid resident ID number of a child born on `born` (YYYYMMDD)."""
    first17 = f"460105{born}{serial:03d}"
    return first17 + check_character(first17)


def resident(app, phone="13900000001", doc_number=ID_NUMBERS[0], check_in=True):
    """A resident with a profile (and today's healthy check-in, so they are green); (client, user)."""
    client = app.test_client()
    sign_in(client, phone)
    fill_profile(client, doc_number=doc_number)
    if check_in:
        answer = client.post("/api/checkins/batch", json={"records": [checkin_record()]})
        assert answer.get_json()["results"][0]["status"] == "stored"
    return client, db.session.scalar(select(User).where(User.phone == phone))


def clinician(app, phone="13700000001", institution=None):
    return staff_client(app, "clinician", phone, institution=institution)


def identify(staff, id_number=ID_NUMBERS[0], headers=None) -> dict:
    answer = staff.post("/api/identify", json={"id_number": id_number}, headers=headers or {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["person"]


def visit_record(ticket, **fields) -> dict:
    """A fever-clinic visit as the clinician's device queues it."""
    record = {
        "uuid": str(uuid.uuid4()),
        "kind": "fever_visit",
        "ticket": ticket,
        "recorded_at": datetime.now(UTC).isoformat(),
        "temperature": 38.5,
        "symptoms": ["fever", "dry_cough"],
        "address": "海口市滨海大道1号",
        "district": "460105",
        "guardian_name": "",
        "notes": "",
    }
    record.update(fields)
    return record


def observation_record(ticket, **fields) -> dict:
    """An observation as the clinician's device queues it."""
    record = {
        "uuid": str(uuid.uuid4()),
        "kind": "observation",
        "ticket": ticket,
        "recorded_at": datetime.now(UTC).isoformat(),
        "age": None,
        "case_number": "HK-2026-0042",
        "case_type": "fever_screening",
        "onset_date": (clock.local_today() - timedelta(days=2)).isoformat(),
        "address": "海口市滨海大道1号",
        "district": "460105",
        "start_date": clock.local_today().isoformat(),
        "dry_cough": "yes",
        "temperature": 37.8,
        "other_symptoms": "乏力",
        "opinion": "留观，每日测温",
    }
    record.update(fields)
    return record


def send(staff, *records, headers=None) -> list[dict]:
    answer = staff.post("/api/care/batch", json={"records": list(records)}, headers=headers or {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["results"]


def code_of(client, headers=None) -> dict:
    answer = client.get("/api/code", headers=headers or {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.fixture
def desk(app):
    """A resident (green, checked in today) and a clinician who identified them: (resident client, person,
    clinician client, card)."""
    client, person = resident(app)
    staff = clinician(app)
    return client, person, staff, identify(staff)


# --- fever-clinic visits ---------------------------------------------------------------------------------------


def test_a_fever_clinic_visit_turns_the_code_yellow_with_the_clinic_reason(desk):
    client, person, staff, card = desk
    assert code_of(client)["colour"] == "green"
    results = send(staff, visit_record(card["ticket"]))
    assert results == [{"uuid": results[0]["uuid"], "status": "stored"}]

    code = code_of(client)
    assert code["colour"] == "yellow"
    reason = code["reasons"][0]
    assert reason["rule_id"] == "clinic.fever_visit"
    assert "发热门诊就诊" in reason["text"] and "7天内" in reason["text"]
    assert "转为绿码" in reason["guidance"]
    # 7 days from today's visit, then 7 healthy check-ins in a row
    assert code["may_turn_green_on"] == (clock.local_today() + timedelta(days=13)).isoformat()
    english = code_of(client, EN)
    assert english["reasons"][0]["text"] == "Seen at a fever clinic in the last 7 days"
    assert "turn the code green" in english["reasons"][0]["guidance"]

    visit = db.session.scalar(select(FeverVisit))
    assert (visit.person_id, visit.staff_id, visit.temperature) == (person.id, staff_user(staff).id, 38.5)
    assert visit.institution_id == staff_user(staff).institution_id and visit.day == clock.local_today()
    assert visit.symptoms == ["dry_cough", "fever"] and visit.guardian_name is None and visit.notes is None
    # the colour change explains itself: trigger, who, rule-set version and the visit among the inputs
    verdict = db.session.get(Verdict, db.session.get(User, person.id).verdict_id)
    assert (verdict.trigger, verdict.triggered_by_id) == ("fever_visit", staff_user(staff).id)
    assert verdict.rule_set_version == "2026.11-3"
    assert verdict.inputs["facts"]["fever_visits"] == [{"day": clock.local_today().isoformat(), "temperature": 38.5}]


def staff_user(staff_client_) -> User:
    """The user a staff client is signed in as (the clinician of these tests)."""
    with staff_client_.session_transaction() as session:
        sign_in_id = session["_user_id"]
    from app.services.accounts import user_id_for_sign_in

    return db.session.get(User, user_id_for_sign_in(sign_in_id))


def test_the_staff_card_shows_the_clinic_reason_after_the_visit(desk):
    _client, _person, staff, card = desk
    send(staff, visit_record(card["ticket"]))
    again = identify(staff, headers=EN)
    assert again["colour"] == "yellow"
    assert again["reasons"][0]["text"] == "Seen at a fever clinic in the last 7 days"


def test_a_changed_residence_is_written_back_to_the_person_and_audited(desk):
    _client, person, staff, card = desk
    assert (person.address, person.district) == ("海口市滨海大道1号", "460105")
    send(staff, visit_record(card["ticket"]))  # the residence as on record: nothing to write back
    assert audit_actions("residence_edited") == []

    send(staff, visit_record(card["ticket"], address="三亚市河东路3号", district="460202"))
    person = db.session.get(User, person.id)
    assert (person.address, person.district) == ("三亚市河东路3号", "460202")
    [entry] = audit_actions("residence_edited")
    assert (entry.actor_id, entry.subject_id) == (staff_user(staff).id, person.id)
    assert entry.details["fields"] == ["address", "district"]
    assert "三亚" not in str(entry.details)  # which fields changed, never the address itself
    assert identify(staff)["address"] == "三亚市河东路3号"


def test_the_latest_visit_of_a_batch_gives_the_residence(desk):
    _client, person, staff, card = desk
    earlier = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    send(
        staff,
        visit_record(card["ticket"], address="新地址2号"),
        visit_record(card["ticket"], address="旧地址1号", recorded_at=earlier),
    )
    assert db.session.get(User, person.id).address == "新地址2号"
    assert count(FeverVisit) == 2


def test_a_child_needs_a_guardian_name(app):
    guardian, _adult = resident(app)
    number = child_id_number()
    page = guardian.post(
        "/relatives/new",
        data={"relationship": "child", "name": "张小小", "doc_kind": "resident_id", "doc_number": number, "phone": ""},
    )
    assert page.status_code == 302, page.get_data(as_text=True)
    staff = clinician(app)
    card = identify(staff, number)
    assert card["is_child"] is True

    [answer] = send(staff, visit_record(card["ticket"], guardian_name=" "))
    assert answer["status"] == "invalid"
    assert answer["errors"] == {"guardian_name": "请填写儿童的家长或监护人姓名（2至30个字）。"}
    [answer] = send(staff, visit_record(card["ticket"]), headers=EN)
    assert answer["errors"]["guardian_name"].startswith("Please enter the name of the child's parent or guardian")
    assert count(FeverVisit) == 0

    [answer] = send(staff, visit_record(card["ticket"], guardian_name=" 张大明 "))
    assert answer["status"] == "stored"
    assert db.session.scalar(select(FeverVisit.guardian_name)) == "张大明"


def test_an_adult_record_keeps_no_guardian_name(desk):
    _client, _person, staff, card = desk
    assert card["is_child"] is False
    [answer] = send(staff, visit_record(card["ticket"], guardian_name="李四"))
    assert answer["status"] == "stored"
    assert db.session.scalar(select(FeverVisit.guardian_name)) is None


def test_a_repeated_visit_is_a_duplicate_and_a_changed_one_a_conflict(desk):
    client, _person, staff, card = desk
    record = visit_record(card["ticket"])
    assert send(staff, record)[0]["status"] == "stored"
    assert send(staff, record)[0]["status"] == "duplicate"
    assert send(staff, {**record, "temperature": 39.1})[0]["status"] == "conflict"
    assert count(FeverVisit) == 1
    assert code_of(client)["colour"] == "yellow"


BAD_VISIT_FIELDS = [
    ("temperature", None, "temperature"),
    ("temperature", "hot", "temperature"),
    ("temperature", 33.9, "temperature"),
    ("temperature", 43.1, "temperature"),
    ("temperature", True, "temperature"),
    ("temperature", "1e400", "temperature"),
    ("symptoms", "fever", "symptoms"),
    ("symptoms", ["fever", "sneezing"], "symptoms"),
    ("symptoms", [1], "symptoms"),
    ("symptoms", ["fever"] * 100, "symptoms"),
    ("address", "", "address"),
    ("address", "   ", "address"),
    ("address", "x" * 201, "address"),
    ("address", 12, "address"),
    ("address", "a\x00b", "address"),
    ("district", "999999", "district"),
    ("district", None, "district"),
    ("district", ["460105"], "district"),
    ("notes", "x" * 501, "notes"),
    ("notes", {"a": 1}, "notes"),
    ("recorded_at", None, "recorded_at"),
    ("recorded_at", "2026-11-22T08:00:00", "recorded_at"),  # no time zone
    ("recorded_at", "2099-01-01T08:00:00Z", "recorded_at"),
    ("recorded_at", "0001-01-01T00:00:00Z", "recorded_at"),
    ("uuid", "not-a-uuid", "uuid"),
    ("ticket", None, "ticket"),
    ("ticket", "forged.ticket.text", "ticket"),
    ("ticket", "x" * 5000, "ticket"),
]


@pytest.mark.parametrize(
    ("name", "value", "field"), BAD_VISIT_FIELDS, ids=[f"{n}-{i}" for i, (n, _v, _f) in enumerate(BAD_VISIT_FIELDS)]
)
def test_a_bad_visit_is_invalid_with_its_field_named_and_nothing_written(desk, name, value, field):
    client, person, staff, card = desk
    record = {**visit_record(card["ticket"], address="另一个地址"), name: value}
    [answer] = send(staff, record)
    assert answer["status"] == "invalid"
    assert field in answer["errors"] and answer["errors"][field]
    assert count(FeverVisit) == 0
    assert db.session.get(User, person.id).address == "海口市滨海大道1号"  # no residence written back
    assert code_of(client)["colour"] == "green"


def test_bad_visit_messages_are_in_the_user_s_language(desk):
    _client, _person, staff, card = desk
    record = visit_record(card["ticket"], temperature=50, district="x", address="")
    [zh] = send(staff, record)
    [en] = send(staff, {**record, "uuid": str(uuid.uuid4())}, headers=EN)
    assert zh["errors"]["temperature"] == "请填写 34.0 至 43.0 °C 之间的体温。"
    assert en["errors"]["temperature"] == "Please enter a body temperature between 34.0 and 43.0 °C."
    assert en["errors"]["district"] == "Please choose the district where the person lives now."
    assert zh["errors"]["district"] == "请选择此人现居住的区县。"
    assert en["errors"]["address"].startswith("Please enter the address where the person lives now")
    assert zh["errors"]["address"].startswith("请填写此人现居住的地址")


def test_a_bad_visit_fails_alone_beside_good_ones(desk):
    client, _person, staff, card = desk
    good = [visit_record(card["ticket"]), visit_record(card["ticket"])]
    results = send(staff, good[0], visit_record(card["ticket"], temperature="x"), "not a record", good[1])
    assert [r["status"] for r in results] == ["stored", "invalid", "invalid", "stored"]
    assert count(FeverVisit) == 2


def test_a_ticket_works_only_for_the_clinician_it_was_given_to(app, desk):
    _client, _person, _staff, card = desk
    colleague = clinician(app, "13700000002")
    [answer] = send(colleague, visit_record(card["ticket"]))
    assert answer["status"] == "invalid" and "ticket" in answer["errors"]
    assert count(FeverVisit) == 0


def test_pharmacists_cannot_send_clinic_records(app, desk):
    _client, _person, _staff, _card = desk
    pharmacist = staff_client(app, "pharmacist", "13700000009")
    ticket = identify(pharmacist)["ticket"]
    results = send(pharmacist, visit_record(ticket), observation_record(ticket))
    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert all("kind" in r["errors"] for r in results)
    assert count(FeverVisit) == count(Observation) == 0


# --- opening an observation ------------------------------------------------------------------------------------


def test_an_observation_of_a_fever_patient_turns_the_code_yellow_while_open(desk):
    client, person, staff, card = desk
    [answer] = send(staff, observation_record(card["ticket"]))
    assert answer["status"] == "stored"
    code = code_of(client)
    assert code["colour"] == "yellow" and code["may_turn_green_on"] is None  # not before it is closed
    assert [r["rule_id"] for r in code["reasons"]] == ["observation.fever"]
    assert "医学观察" in code["reasons"][0]["text"] and "发热待排查" in code["reasons"][0]["text"]
    assert (
        code_of(client, EN)["reasons"][0]["text"]
        == "Under medical observation at a clinic (fever, cause not yet known)"
    )

    observation = db.session.scalar(select(Observation))
    assert observation.person_id == person.id and observation.closed_at is None
    assert observation.age == card["age"]  # left empty on the device: the age from the ID card on record
    assert (observation.case_number, observation.case_type, observation.dry_cough) == (
        "HK-2026-0042",
        "fever_screening",
        True,
    )
    assert observation.onset_date == clock.local_today() - timedelta(days=2)
    assert (observation.temperature, observation.other_symptoms, observation.opinion) == (
        37.8,
        "乏力",
        "留观，每日测温",
    )
    verdict = db.session.get(Verdict, db.session.get(User, person.id).verdict_id)
    assert verdict.trigger == "observation"
    assert verdict.inputs["facts"]["observations"] == [
        {"case_type": "fever_screening", "start": clock.local_today().isoformat(), "end": None}
    ]


@pytest.mark.parametrize("case_type", ["suspected", "confirmed", "asymptomatic", "close_contact"])
def test_an_observed_case_or_close_contact_is_red(desk, case_type):
    client, _person, staff, card = desk
    send(staff, observation_record(card["ticket"], case_type=case_type, age=41, dry_cough=False))
    code = code_of(client)
    assert code["colour"] == "red" and [r["rule_id"] for r in code["reasons"]] == ["observation.case"]
    assert code["reasons"][0]["text"] == "正在医疗机构接受医学观察（病例或密切接触者）"
    assert (
        code_of(client, EN)["reasons"][0]["text"] == "Under medical observation at a clinic (a case or a close contact)"
    )
    assert db.session.scalar(select(Observation.age)) == 41


BAD_OBSERVATION_FIELDS = [
    ("case_type", None, "case_type"),
    ("case_type", "secondary_contact", "case_type"),
    ("case_type", ["suspected"], "case_type"),
    ("age", -1, "age"),
    ("age", 131, "age"),
    ("age", 3.5, "age"),
    ("age", "old", "age"),
    ("age", True, "age"),
    ("case_number", "x" * 33, "case_number"),
    ("case_number", 12345, "case_number"),
    ("onset_date", "tomorrow", "onset_date"),
    ("start_date", None, "start_date"),
    ("start_date", "2026-02-30", "start_date"),
    ("start_date", "9999-12-31", "start_date"),
    ("dry_cough", None, "dry_cough"),
    ("dry_cough", "maybe", "dry_cough"),
    ("dry_cough", 1, "dry_cough"),
    ("temperature", None, "temperature"),
    ("temperature", 45, "temperature"),
    ("address", "", "address"),
    ("district", "000000", "district"),
    ("other_symptoms", "x" * 201, "other_symptoms"),
    ("opinion", "x" * 501, "opinion"),
    ("opinion", ["留观"], "opinion"),
    ("ticket", "", "ticket"),
]


def _days_from_today(days: int) -> str:
    return (clock.local_today() + timedelta(days=days)).isoformat()


# Dates relative to today (the region's), checked against the bounds: start up to 30 days back, onset 60.
BAD_OBSERVATION_DAYS = [
    ("start_date", 1),
    ("start_date", -31),
    ("onset_date", 1),
    ("onset_date", -61),
]


@pytest.mark.parametrize(
    ("name", "value", "field"),
    BAD_OBSERVATION_FIELDS,
    ids=[f"{n}-{i}" for i, (n, _v, _f) in enumerate(BAD_OBSERVATION_FIELDS)],
)
def test_a_bad_observation_is_invalid_with_its_field_named_and_nothing_written(desk, name, value, field):
    client, _person, staff, card = desk
    [answer] = send(staff, {**observation_record(card["ticket"]), name: value})
    assert answer["status"] == "invalid"
    assert field in answer["errors"] and answer["errors"][field]
    assert count(Observation) == 0
    assert code_of(client)["colour"] == "green"


@pytest.mark.parametrize(("name", "days"), BAD_OBSERVATION_DAYS)
def test_observation_dates_must_lie_in_their_bounds(desk, name, days):
    _client, _person, staff, card = desk
    [answer] = send(staff, {**observation_record(card["ticket"]), name: _days_from_today(days)})
    assert answer["status"] == "invalid" and name in answer["errors"]
    [answer] = send(
        staff, {**observation_record(card["ticket"]), name: _days_from_today(-30 if name == "start_date" else -60)}
    )
    assert answer["status"] == "stored"


def test_bad_observation_messages_are_in_the_user_s_language(desk):
    _client, _person, staff, card = desk
    record = observation_record(card["ticket"], case_type="x", dry_cough="maybe", start_date=None, age=200)
    [zh] = send(staff, record)
    [en] = send(staff, {**record, "uuid": str(uuid.uuid4())}, headers=EN)
    assert zh["errors"] == {
        "case_type": "请选择病例类型。",
        "dry_cough": "请选择是否干咳。",
        "start_date": "开始观察日期须为今天或最近 30 天内。",
        "age": "请填写周岁年龄（0 至 130）。",
    }
    assert en["errors"] == {
        "case_type": "Please choose the case type.",
        "dry_cough": "Please answer whether the person has a dry cough.",
        "start_date": "The observation must start today or within the last 30 days.",
        "age": "Please enter the age in whole years (0 to 130).",
    }


def test_a_person_is_under_one_observation_at_a_time_per_institution(app, desk):
    _client, person, staff, card = desk
    first, second = observation_record(card["ticket"]), observation_record(card["ticket"], case_type="suspected")
    results = send(staff, first, second)
    assert [r["status"] for r in results] == ["stored", "invalid"]
    assert "record" in results[1]["errors"]
    [again] = send(staff, observation_record(card["ticket"]), headers=EN)
    assert again["errors"]["record"].startswith("This person is already under observation here")
    assert send(staff, first)[0]["status"] == "duplicate"  # the stored one, sent again
    # another institution may observe the same person
    other = clinician(app, "13700000003", institution=OTHER_HOSPITAL)
    assert send(other, observation_record(identify(other)["ticket"]))[0]["status"] == "stored"
    assert db.session.scalar(select(func.count()).where(Observation.person_id == person.id)) == 2


# --- the observation pages -----------------------------------------------------------------------------------


def open_observation(staff, card, **fields) -> int:
    record = observation_record(card["ticket"], **fields)
    assert send(staff, record)[0]["status"] == "stored"
    return db.session.scalar(select(Observation.id).where(Observation.uuid == record["uuid"]))


def test_the_list_shows_this_institution_s_people_open_first_with_their_days(app, desk):
    _client, person, staff, card = desk
    _second_client, _second = resident(app, "13900000002", ID_NUMBERS[1])
    second_card = identify(staff, ID_NUMBERS[1])
    first = open_observation(staff, card, start_date=_days_from_today(-4))
    closed = open_observation(staff, second_card)
    assert staff.post(f"/clinic/observations/{closed}/close", data={"outcome": "released"}).status_code == 302

    page = staff.get("/clinic/observations")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "医学观察人员" in html and "张小明" in html and "第 5 天" in html and "观察中" in html
    assert "解除医学观察" in html and "发热待排查" in html
    assert html.index(f'data-observation="{first}"') < html.index(f'data-observation="{closed}"')
    english = staff.get("/clinic/observations", headers=EN).get_data(as_text=True)
    assert "Under medical observation" in english and "Day 5" in english and "Released from observation" in english
    [entry] = audit_actions("observation_list")[:1]
    assert entry.actor_id == staff_user(staff).id and entry.details["observations"] == [first, closed]

    # another institution's staff see none of them
    other = clinician(app, "13700000003", institution=OTHER_HOSPITAL)
    html = other.get("/clinic/observations").get_data(as_text=True)
    assert "张小明" not in html and "本机构暂无医学观察人员" in html
    assert person.id  # (the person exists; the other list is simply empty)


def test_the_detail_page_shows_the_record_and_is_audited(desk):
    _client, person, staff, card = desk
    observation_id = open_observation(staff, card)
    page = staff.get(f"/clinic/observations/{observation_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "医学观察：张小明" in html and "HK-2026-0042" in html and "留观，每日测温" in html and "第 1 天" in html
    assert "保存今日记录" in html and "结束医学观察" in html
    assert "Medical observation: 张小明" in staff.get(f"/clinic/observations/{observation_id}", headers=EN).get_data(
        as_text=True
    )
    viewed = audit_actions("observation_viewed")
    assert viewed[0].subject_id == person.id and viewed[0].details["observation_id"] == observation_id


def test_another_institution_s_staff_get_404(app, desk):
    _client, _person, staff, card = desk
    observation_id = open_observation(staff, card)
    other = clinician(app, "13700000003", institution=OTHER_HOSPITAL)
    assert other.get(f"/clinic/observations/{observation_id}").status_code == 404
    entry = other.post(
        f"/clinic/observations/{observation_id}/entries", data={"temperature": "36.8", "dry_cough": "no"}
    )
    assert entry.status_code == 404
    assert other.post(f"/clinic/observations/{observation_id}/close", data={"outcome": "released"}).status_code == 404
    assert count(ObservationEntry) == 0
    assert db.session.get(Observation, observation_id).closed_at is None
    assert audit_actions("observation_viewed") == []
    assert staff.get("/clinic/observations/999999").status_code == 404
    answer = other.get(f"/clinic/observations/{observation_id}", headers={"Accept": "application/json", **EN})
    assert answer.get_json()["message"] == "This observation does not exist, or it belongs to another institution."


def test_a_daily_entry_is_recorded_once_a_day(desk):
    _client, _person, staff, card = desk
    observation_id = open_observation(staff, card)
    answer = staff.post(
        f"/clinic/observations/{observation_id}/entries",
        data={"temperature": "37.4", "dry_cough": "yes", "other_symptoms": "咽痛", "note": "精神可"},
    )
    assert answer.status_code == 302 and answer.headers["Location"] == f"/clinic/observations/{observation_id}"
    entry = db.session.scalar(select(ObservationEntry))
    assert (entry.day, entry.temperature, entry.dry_cough, entry.other_symptoms, entry.note) == (
        clock.local_today(),
        37.4,
        True,
        "咽痛",
        "精神可",
    )
    html = staff.get(f"/clinic/observations/{observation_id}").get_data(as_text=True)
    assert "今日记录已保存" in html and "37.4" in html and "该医学观察今天的记录已填写" in html

    again = staff.post(
        f"/clinic/observations/{observation_id}/entries", data={"temperature": "37.0", "dry_cough": "no"}
    )
    assert again.status_code == 409 and "该医学观察今天的记录已填写" in again.get_data(as_text=True)
    assert count(ObservationEntry) == 1


@pytest.mark.parametrize(
    ("data", "zh", "en"),
    [
        ({"dry_cough": "no"}, "请填写 34.0 至 43.0 °C 之间的体温。", "Please enter a body temperature between"),
        (
            {"temperature": "45", "dry_cough": "no"},
            "请填写 34.0 至 43.0 °C 之间的体温。",
            "Please enter a body temperature between",
        ),
        (
            {"temperature": "abc", "dry_cough": "no"},
            "请填写 34.0 至 43.0 °C 之间的体温。",
            "Please enter a body temperature between",
        ),
        ({"temperature": "37"}, "请选择是否干咳。", "Please answer whether the person has a dry cough."),
        (
            {"temperature": "37", "dry_cough": "maybe"},
            "请选择是否干咳。",
            "Please answer whether the person has a dry cough.",
        ),
        (
            {"temperature": "37", "dry_cough": "no", "note": "x" * 501},
            "请不要超过 500 个字。",
            "Please keep this under 500 characters.",
        ),
        (
            {"temperature": "37", "dry_cough": "no", "other_symptoms": "x" * 201},
            "请不要超过 200 个字。",
            "under 200 characters",
        ),
    ],
)
def test_a_bad_entry_is_refused_beside_its_field_in_both_languages(desk, data, zh, en):
    _client, _person, staff, card = desk
    observation_id = open_observation(staff, card)
    page = staff.post(f"/clinic/observations/{observation_id}/entries", data=data)
    assert page.status_code == 422 and zh in page.get_data(as_text=True)
    page = staff.post(f"/clinic/observations/{observation_id}/entries", data=data, headers=EN)
    assert page.status_code == 422 and en in page.get_data(as_text=True)
    assert count(ObservationEntry) == 0


def test_closing_ends_the_observation_and_recolours_the_person(desk, monkeypatch):
    client, _person, staff, card = desk
    observation_id = open_observation(staff, card, start_date=_days_from_today(-3))
    assert code_of(client)["colour"] == "yellow"

    refused = staff.post(f"/clinic/observations/{observation_id}/close", data={"outcome": ""})
    assert refused.status_code == 422 and "请选择观察结果。" in refused.get_data(as_text=True)
    refused = staff.post(f"/clinic/observations/{observation_id}/close", data={"outcome": "escaped"}, headers=EN)
    assert refused.status_code == 422 and "Please choose how the observation ends." in refused.get_data(as_text=True)
    assert db.session.get(Observation, observation_id).closed_at is None

    closed = staff.post(
        f"/clinic/observations/{observation_id}/close", data={"outcome": "released", "closing_note": "核酸阴性"}
    )
    assert closed.status_code == 302
    observation = db.session.get(Observation, observation_id)
    assert (observation.outcome, observation.closing_note, observation.closed_on) == (
        "released",
        "核酸阴性",
        clock.local_today(),
    )
    assert observation.closed_by_id == staff_user(staff).id
    [entry] = audit_actions("observation_closed")
    assert entry.why == "released" and entry.details["observation_id"] == observation_id
    # no longer under observation from today: the recovery of a yellow code (7 healthy check-ins) remains
    code = code_of(client)
    assert code["colour"] == "yellow" and [r["rule_id"] for r in code["reasons"]] == ["recovery.pending"]
    assert code["may_turn_green_on"] == _days_from_today(6)

    page = staff.get(f"/clinic/observations/{observation_id}").get_data(as_text=True)
    assert "解除医学观察" in page and "保存今日记录" not in page and "核酸阴性" in page
    again = staff.post(f"/clinic/observations/{observation_id}/close", data={"outcome": "transferred"})
    assert again.status_code == 409 and "该医学观察已经结束。" in again.get_data(as_text=True)
    entry = staff.post(
        f"/clinic/observations/{observation_id}/entries", data={"temperature": "36.8", "dry_cough": "no"}
    )
    assert entry.status_code == 409 and "该医学观察已结束，不能再添加记录。" in entry.get_data(as_text=True)
    assert count(ObservationEntry) == 0


def test_an_observation_closed_the_day_it_began_leaves_no_colour_behind(desk):
    client, _person, staff, card = desk
    observation_id = open_observation(staff, card, case_type="suspected")
    assert code_of(client)["colour"] == "red"
    staff.post(f"/clinic/observations/{observation_id}/close", data={"outcome": "released"})
    assert code_of(client)["colour"] == "green"


# --- the nightly recompute --------------------------------------------------------------------------------------


def stored_visit(person: User, staff: User, days_ago: int) -> None:
    """A fever-clinic visit stored straight in the database, as if synced earlier (no recolouring here)."""
    day = clock.local_today() - timedelta(days=days_ago)
    moment = clock.local_midnight_utc(day) + timedelta(hours=10)
    db.session.add(
        FeverVisit(
            uuid=str(uuid.uuid4()),
            payload_hash="x",
            institution_id=staff.institution_id,
            staff_id=staff.id,
            person_id=person.id,
            recorded_at=moment,
            received_at=moment,
            day=day,
            temperature=38.2,
            symptoms=["fever"],
            address="海口市滨海大道1号",
            district="460105",
        )
    )
    db.session.commit()


def test_a_visit_leaving_its_window_turns_the_code_green_on_the_day_it_said(app, monkeypatch):
    from tests.test_recompute import check_in

    client, person = resident(app, check_in=False)
    staff = staff_user(clinician(app))
    check_in(person, range(13, -1, -1))  # a healthy check-in every day for two weeks, today included
    stored_visit(person, staff, 13)
    now = clock.now_utc()
    for days_ago in (13, 1):  # the day of the visit, and the day before the green date
        with monkeypatch.context() as m:
            m.setattr(clock, "now_utc", lambda ago=days_ago: now - timedelta(days=ago))
            recolour_all()
            db.session.commit()
            person = db.session.get(User, person.id)
            assert person.colour == "yellow"
            verdict = db.session.get(Verdict, person.verdict_id)
            assert verdict.may_turn_green_on == clock.local_today() + timedelta(days=days_ago)
    assert person.id in candidates()
    recolour_all()
    db.session.commit()
    assert db.session.get(User, person.id).colour == "green"
    code = code_of(client)
    assert code["colour"] == "green" and code["reasons"] == []


def test_the_nightly_recompute_finds_visits_a_longer_window_now_counts(app, monkeypatch):
    """The authority lengthens the window in the rule set: people green under the old one must be found."""
    import json

    from app.domain import colours as engine
    from app.services.colours import rule_sets
    from tests.test_recompute import check_in

    _client, person = resident(app, check_in=False)
    staff = staff_user(clinician(app))
    check_in(person, range(20, -1, -1))
    stored_visit(person, staff, 20)
    recolour([person.id], trigger="checkin")
    db.session.commit()
    assert db.session.get(User, person.id).colour == "green"  # 20 days on, well past 7 days and the recovery

    shipped = json.loads(engine.DEFAULT_RULES.read_text(encoding="utf-8"))
    for rule in shipped["rules"]:
        if rule["id"] == "clinic.fever_visit":
            rule["params"]["days"] = 21
    longer = engine.parse_rule_set({**shipped, "version": "2026.11-3-longer"})
    monkeypatch.setattr(rule_sets, "rule_set", lambda: longer)
    assert person.id in candidates()
    recolour_all()
    db.session.commit()
    person = db.session.get(User, person.id)
    verdict = db.session.get(Verdict, person.verdict_id)
    assert person.colour == "yellow" and [r["rule_id"] for r in verdict.reasons] == ["clinic.fever_visit"]
    assert verdict.reasons[0]["text"]["zh"] == "21天内曾到发热门诊就诊"


def test_the_prefilter_finds_open_observations_and_visits_in_the_facts_window(app, desk):
    from tests.test_recompute import check_in

    _client, person, staff, card = desk
    observation_id = open_observation(staff, card)
    assert person.id in candidates()
    staff.post(f"/clinic/observations/{observation_id}/close", data={"outcome": "released"})  # closed today
    assert person.id in candidates()

    _other_client, other = resident(app, "13900000002", ID_NUMBERS[1], check_in=False)
    check_in(other, range(40, -1, -1))
    stored_visit(other, staff_user(staff), 35)  # before the facts window (28 days)
    recolour([other.id], trigger="checkin")
    db.session.commit()
    assert db.session.get(User, other.id).colour == "green" and other.id not in candidates()
    stored_visit(other, staff_user(staff), 27)
    assert other.id in candidates()


# --- fuzzing the clinic's records ------------------------------------------------------------------------------


def test_a_care_batch_stores_its_good_clinic_records_beside_any_bad_one(desk):
    from hypothesis import given
    from hypothesis import strategies as st

    from tests.test_fuzz import FUZZ, ODD_VALUES, malformed_records

    _client, _person, staff, card = desk

    def visit(**fields):
        return visit_record(card["ticket"], **fields)

    def observation(**fields):
        return observation_record(card["ticket"], **fields)

    @FUZZ
    @given(
        bad=st.lists(malformed_records(visit) | malformed_records(observation) | ODD_VALUES, min_size=5, max_size=15),
        at=st.integers(0, 15),
    )
    def check(bad, at):
        good = [visit(), visit()]
        records = bad[:at] + good + bad[at:]
        results = send(staff, *records)
        assert len(results) == len(records)
        assert {r["status"] for r in results} <= {"stored", "invalid", "duplicate", "conflict"}
        assert [results[records.index(r)]["status"] for r in good] == ["stored", "stored"]
        stored = set(db.session.scalars(select(FeverVisit.uuid).where(FeverVisit.uuid.in_([r["uuid"] for r in good]))))
        assert stored == {r["uuid"] for r in good}
        db.session.execute(Observation.__table__.delete())  # each example may open an observation again
        db.session.commit()

    check()
