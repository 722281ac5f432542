"""Fever-drug registration at pharmacies (购药登记): the drug_sale record, the home check it opens for the district's
handler (a drug_check report, routed by signed SMS link), the pharmacy's own pages, and the oversight counts."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.domain.pharmacy import fever_drugs, listed_code, normal_mobile
from app.extensions import db
from app.infra import clock
from app.models import AuditEntry, DrugSale, DrugSaleItem, Report, ReportUpdate, SmsMessage, User
from tests.helpers import ID_NUMBERS, fill_profile, sign_in, staff_client

PHARMACIST, OTHER_PHARMACIST, CLINICIAN = "13900000401", "13900000402", "13900000403"
HANDLER, OTHER_HANDLER, SUPERVISOR, SANYA_SUPERVISOR = "13900000201", "13900000202", "13900000301", "13900000302"
BUYER_PHONE = "13800000011"
OTHER_PHARMACY = {
    "kind": "pharmacy",
    "name": "海南康民药店",
    "district": "460106",
    "address": "海口市龙华区金龙路3号",
    "licence_number": "琼AA8980002",
}


@pytest.fixture
def pharmacist(app):
    return staff_client(app, "pharmacist", PHARMACIST, name="周药师")


@pytest.fixture
def handler(app):
    return staff_client(app, "handler", HANDLER, "460105", name="陈网格")


@pytest.fixture
def buyer(app):
    """A resident of 海口市秀英区 with a real-name profile (and so a sealed ID number)."""
    client = app.test_client()
    sign_in(client, BUYER_PHONE)
    fill_profile(client, name="李购药", doc_number=ID_NUMBERS[1], district="460105")
    return db.session.scalar(select(User).where(User.phone == BUYER_PHONE))


def ticket_for(client, id_number=ID_NUMBERS[1]) -> str:
    response = client.post("/api/identify", json={"id_number": id_number})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["person"]["ticket"]


def sale(ticket_text, **fields) -> dict:
    """A valid drug_sale record as the pharmacy's device sends it."""
    record = {
        "uuid": str(uuid.uuid4()),
        "kind": "drug_sale",
        "ticket": ticket_text,
        "recorded_at": datetime.now(UTC).isoformat(),
        "address": "海口市秀英区滨海大道1号",
        "district": "460105",
        "drugs": [{"name": "布洛芬缓释胶囊", "quantity": 2}, {"name": "止咳糖浆", "quantity": 1}],
        "temperature": 37.8,
        "epidemic_area": False,
        "fever_contact": True,
        "proxy": True,
        "patient_phone": "13912345678",
        "note": "",
    }
    record.update(fields)
    return record


def send(client, *records, lang=None) -> list[dict]:
    response = client.post("/api/care/batch" + (f"?lang={lang}" if lang else ""), json={"records": list(records)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (DrugSale, DrugSaleItem, Report, ReportUpdate)
    )


def followup_texts(phone) -> list[SmsMessage]:
    return list(
        db.session.scalars(
            select(SmsMessage).where(SmsMessage.phone == phone, SmsMessage.purpose == "report").order_by(SmsMessage.id)
        )
    )


def link_in(message: SmsMessage) -> str:
    return re.search(r"http://localhost(/reports/handle/\S+)", message.body).group(1)


# --- the drug list -----------------------------------------------------------------------------------------


def test_the_shipped_list_names_common_fever_and_cough_drugs_in_both_languages():
    drugs = fever_drugs()
    names = {drug.zh for drug in drugs.values()}
    assert {"对乙酰氨基酚片", "布洛芬缓释胶囊", "连花清瘟胶囊", "复方氨酚烷胺片", "阿莫西林胶囊", "止咳糖浆"} <= names
    assert all(drug.zh and drug.en and drug.code for drug in drugs.values())
    assert listed_code("  布洛芬缓释胶囊 ") == listed_code("ibuprofen  SUSTAINED-release capsules") is not None
    assert listed_code("自制草药") is None
    assert normal_mobile("139 1234-5678") == "13912345678"
    assert normal_mobile("12912345678") is None and normal_mobile("1391234567") is None


def test_the_desk_page_holds_the_sale_form_for_the_care_desk_script(app, pharmacist):
    """The form follows the care-form conventions: a hidden form of kind drug_sale, drug rows with a template."""
    page = pharmacist.get("/pharmacy/").get_data(as_text=True)
    assert re.search(r'<form[^>]*data-care-form="drug_sale"[^>]*hidden[^>]*novalidate', page)
    assert 'data-care-rows="drugs"' in page and 'data-care-row-template="drugs"' in page
    assert 'data-care-add-row="drugs"' in page and "data-care-remove-row" in page
    for name in ("address", "district", "name", "quantity", "temperature", "epidemic_area", "fever_contact", "proxy"):
        assert f'name="{name}"' in page
    assert re.search(r'name="patient_phone"[^>]*pattern="1\[3-9\]\[0-9\]\{9\}" disabled', page)
    assert page.count('min="1" max="99"') == 2  # the first row and the template
    assert '<option value="布洛芬缓释胶囊">' in page and "购药登记（退烧、止咳药品）" in page
    assert '<option value="460105">海南省海口市秀英区</option>' in page
    english = pharmacist.get("/pharmacy/?lang=en").get_data(as_text=True)
    assert '<option value="Ibuprofen sustained-release capsules">' in english
    assert "Fever and cough drug registration" in english and "Buys for someone else" in english


# --- storing a sale ----------------------------------------------------------------------------------------


def test_a_proxy_purchase_is_stored_with_its_drugs_and_texts_the_district_handler(app, pharmacist, handler, buyer):
    ticket = ticket_for(pharmacist)
    record = sale(ticket)
    assert send(pharmacist, record) == [{"uuid": record["uuid"], "status": "stored"}]

    stored = db.session.scalar(select(DrugSale))
    assert (stored.person_id, stored.district, stored.proxy, stored.patient_phone) == (
        buyer.id,
        "460105",
        True,
        "13912345678",
    )
    assert stored.temperature == 37.8 and stored.fever_contact and not stored.epidemic_area
    assert stored.day == clock.local_today()
    assert [(i.position, i.drug_code, i.name, i.quantity) for i in stored.items] == [
        (1, "ibuprofen_sr_capsules", "布洛芬缓释胶囊", 2),
        (2, "cough_syrup", "止咳糖浆", 1),
    ]
    report = db.session.scalar(select(Report))
    assert (report.kind, report.drug_sale_id, report.district, report.state) == (
        "drug_check",
        stored.id,
        "460105",
        "notified",
    )
    assert report.reporter_id == stored.staff_id and report.place == "海口市秀英区滨海大道1号"
    assert report.due_at == report.submitted_at + timedelta(hours=app.config["REPORT_DUE_HOURS"])
    assert [step.state for step in report.updates] == ["submitted", "notified"]
    (text,) = followup_texts(HANDLER)
    assert "购药人员上门核查" in text.body and "海口市秀英区" in text.body
    assert "李购药" not in text.body and BUYER_PHONE not in text.body  # the text names no one


def test_the_handler_opens_the_link_and_sees_whom_to_visit_audited(app, pharmacist, handler, buyer):
    send(pharmacist, sale(ticket_for(pharmacist)))
    link = link_in(followup_texts(HANDLER)[0])
    anonymous = app.test_client()
    response = anonymous.get(link)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in")

    response = handler.get(link)
    assert response.status_code == 302
    page = handler.get(response.headers["Location"]).get_data(as_text=True)
    assert "购药人员上门核查" in page and "需上门的购药人员" in page
    assert "李购药" in page and BUYER_PHONE in page and "海口市秀英区滨海大道1号" in page
    assert "布洛芬缓释胶囊 × 2" in page and "止咳糖浆 × 1" in page and "37.8 °C" in page
    assert "13912345678" in page and "益康大药房" in page and "周药师" in page
    views = list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("report_opened", "report_viewed"))))
    )
    assert {(entry.action, entry.subject_id) for entry in views} == {
        ("report_opened", buyer.id),
        ("report_viewed", buyer.id),
    }

    english = handler.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Fever-drug buyer home check" in english and "Buyer to visit" in english
    assert "Ibuprofen sustained-release capsules × 2" in english and "Cough syrup × 1" in english


def test_the_handler_records_steps_and_the_pharmacy_sees_the_result(app, pharmacist, handler, buyer):
    send(pharmacist, sale(ticket_for(pharmacist)))
    report = db.session.scalar(select(Report))
    inbox = handler.get("/reports/inbox").get_data(as_text=True)
    assert "购药人员上门核查" in inbox and "购买了退烧或止咳药品，请上门核查" in inbox
    response = handler.post(f"/reports/{report.id}/update", data={"state": "verifying", "note": "已电话联系，下午上门"})
    assert response.status_code == 302
    response = handler.post(
        f"/reports/{report.id}/update", data={"state": "resolved", "note": "体温正常，已嘱居家观察"}
    )
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.state == "resolved" and report.result == "体温正常，已嘱居家观察"
    page = pharmacist.get("/pharmacy/sales").get_data(as_text=True)
    assert "已处理" in page


def test_supervisors_see_the_home_check_with_the_buyer_masked_and_other_handlers_do_not(
    app, pharmacist, handler, buyer
):
    send(pharmacist, sale(ticket_for(pharmacist)))
    report = db.session.scalar(select(Report))
    supervisor = staff_client(app, "supervisor", SUPERVISOR, "460100", name="林监督")
    page = supervisor.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "李*药" in page and "138****0011" in page and "139****5678" in page
    assert "李购药" not in page and BUYER_PHONE not in page and "13912345678" not in page
    assert (
        db.session.scalar(
            select(AuditEntry.subject_id).where(
                AuditEntry.action == "report_viewed", AuditEntry.actor_id == _user_id(SUPERVISOR)
            )
        )
        == buyer.id
    )
    other = staff_client(app, "handler", OTHER_HANDLER, "460106", name="吴网格")
    assert other.get(f"/reports/{report.id}").status_code == 404
    assert other.get(link_in(followup_texts(HANDLER)[0])).status_code == 403
    assert pharmacist.get(f"/reports/{report.id}").status_code == 404


def _user_id(phone) -> int:
    return db.session.scalar(select(User.id).where(User.phone == phone))


def test_a_sale_in_a_district_without_a_handler_waits_and_the_supervisor_sees_it(app, pharmacist, buyer):
    assert send(pharmacist, sale(ticket_for(pharmacist)))[0]["status"] == "stored"
    report = db.session.scalar(select(Report))
    assert report.state == "submitted" and [s.state for s in report.updates] == ["submitted"]
    assert not db.session.scalars(select(SmsMessage).where(SmsMessage.purpose == "report")).all()
    supervisor = staff_client(app, "supervisor", SUPERVISOR, "460100", name="林监督")
    page = supervisor.get("/reports/inbox").get_data(as_text=True)
    assert "购药人员上门核查" in page and "该区县暂无网格员" in page


def test_an_unfinished_home_check_becomes_overdue_for_the_handler_and_the_supervisor(app, pharmacist, handler, buyer):
    send(pharmacist, sale(ticket_for(pharmacist)))
    report = db.session.scalar(select(Report))
    report.due_at = clock.now_utc() - timedelta(minutes=1)
    db.session.commit()
    supervisor = staff_client(app, "supervisor", SUPERVISOR, "460100", name="林监督")
    for client in (handler, supervisor):
        page = client.get("/reports/inbox").get_data(as_text=True)
        overdue = re.search(r'aria-labelledby="overdue-heading">(.*?)</section>', page, re.S).group(1)
        assert "购药人员上门核查" in overdue and "已超时" in overdue
    assert "已超时" in handler.get(f"/reports/{report.id}").get_data(as_text=True)
    overview = supervisor.get("/oversight/").get_data(as_text=True)
    assert re.search(r'<p class="tile-number">1</p>\s*<p>[^<]*</p>\s*<p class="overdue">', overview)


def test_the_pharmacists_tabs_lead_to_the_desk_and_the_registrations(pharmacist):
    page = pharmacist.get("/pharmacy/sales").get_data(as_text=True)
    assert '<a href="/pharmacy/sales" aria-current="page">登记记录</a>' in page and 'href="/pharmacy/"' in page


def test_a_failed_text_never_fails_the_sale(app, pharmacist, handler, buyer, monkeypatch):
    from app.infra.sms import SmsFailed
    from app.services import reports

    def refuse(*args, **kwargs):
        raise SmsFailed("gateway answered 500")

    monkeypatch.setattr(reports, "send_sms", refuse)
    record = sale(ticket_for(pharmacist))
    assert send(pharmacist, record)[0]["status"] == "stored"
    assert counts() == (1, 2, 1, 1)
    assert db.session.scalar(select(Report.state)) == "submitted"


def test_an_error_while_routing_never_fails_the_sale(app, pharmacist, handler, buyer, monkeypatch):
    from app.services import reports

    def broken(*args, **kwargs):
        raise RuntimeError("no route")

    monkeypatch.setattr(reports, "route_many", broken)
    assert send(pharmacist, sale(ticket_for(pharmacist)))[0]["status"] == "stored"
    assert counts() == (1, 2, 1, 1)


def test_a_batch_routes_each_sale_once_and_answers_per_record(app, pharmacist, handler, buyer):
    ticket = ticket_for(pharmacist)
    records = [sale(ticket), sale(ticket, proxy=False, patient_phone=""), sale(ticket, drugs=[])]
    results = send(pharmacist, *records)
    assert [r["status"] for r in results] == ["stored", "stored", "invalid"]
    assert counts() == (2, 4, 2, 4)
    assert len(followup_texts(HANDLER)) == 2
    links = {link_in(message) for message in followup_texts(HANDLER)}
    assert len(links) == 2
    assert db.session.scalar(select(DrugSale.patient_phone).where(DrugSale.uuid == records[1]["uuid"])) is None


def test_a_repeat_is_a_duplicate_and_a_changed_repeat_a_conflict_without_a_second_home_check(
    app, pharmacist, handler, buyer
):
    record = sale(ticket_for(pharmacist))
    send(pharmacist, record)
    assert send(pharmacist, record)[0]["status"] == "duplicate"
    assert send(pharmacist, {**record, "temperature": 38.5})[0]["status"] == "conflict"
    assert counts() == (1, 2, 1, 2) and len(followup_texts(HANDLER)) == 1


def test_a_typed_drug_is_kept_as_typed(app, pharmacist, buyer):
    send(pharmacist, sale(ticket_for(pharmacist), drugs=[{"name": "  自制 川贝 膏 ", "quantity": "3"}]))
    item = db.session.scalar(select(DrugSaleItem))
    assert (item.drug_code, item.name, item.quantity) == (None, "自制 川贝 膏", 3)


# --- refusals ------------------------------------------------------------------------------------------------

BAD = [
    ({"drugs": []}, "drugs", "请至少添加一种药品。"),
    ({"drugs": "布洛芬"}, "drugs", "请至少添加一种药品。"),
    ({"drugs": [{"name": "布洛芬缓释胶囊", "quantity": 1}] * 21}, "drugs", "最多登记 20 行药品。"),
    ({"drugs": [{"name": "", "quantity": 1}]}, "drugs", "第 1 行：请从列表中选择药品或输入药品名称（最多 64 个字）。"),
    ({"drugs": [{"name": "药" * 65, "quantity": 1}]}, "drugs", "第 1 行"),
    ({"drugs": [{"name": "止咳糖浆", "quantity": 0}]}, "drugs", "第 1 行：请填写 1 到 99 之间的整数数量。"),
    ({"drugs": [{"name": "止咳糖浆", "quantity": 100}]}, "drugs", "1 到 99"),
    ({"drugs": [{"name": "止咳糖浆", "quantity": 1.5}]}, "drugs", "1 到 99"),
    ({"drugs": [{"name": "止咳糖浆", "quantity": True}]}, "drugs", "1 到 99"),
    ({"drugs": [{"name": "止咳糖浆", "quantity": 1}, {"name": "止咳糖浆"}]}, "drugs", "第 2 行"),
    ({"drugs": [["止咳糖浆", 1]]}, "drugs", "第 1 行"),
    ({"drugs": [{"name": "", "quantity": 1}, {"name": "止咳糖浆", "quantity": 0}]}, "drugs", "第 1 行：请从列表"),
    ({"temperature": 45}, "temperature", "34.0"),
    ({"temperature": None}, "temperature", "34.0"),
    ({"temperature": "hot"}, "temperature", "34.0"),
    ({"district": "999999"}, "district", "请选择购药人员所在区县。"),
    ({"district": None}, "district", "请选择购药人员所在区县。"),
    ({"address": " "}, "address", "请填写购药人员的居住地址"),
    ({"address": "x" * 201}, "address", "请填写购药人员的居住地址"),
    ({"address": 12}, "address", "请填写购药人员的居住地址"),
    ({"epidemic_area": "no"}, "epidemic_area", "请回答购药人员是否有疫区旅居史。"),
    ({"fever_contact": None}, "fever_contact", "请回答购药人员是否接触过发热人员。"),
    ({"proxy": 1}, "proxy", "请回答是否为他人代购。"),
    ({"patient_phone": ""}, "patient_phone", "代购药品时，请填写实际患者的手机号码"),
    ({"patient_phone": "12912345678"}, "patient_phone", "代购药品时"),
    ({"patient_phone": 13912345678}, "patient_phone", "代购药品时"),
    ({"note": "x" * 201}, "note", "备注最多 200 个字。"),
    ({"ticket": "forged"}, "ticket", ""),
    ({"recorded_at": "yesterday"}, "recorded_at", "时间"),
    ({"uuid": "x"}, "uuid", "记录"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_bad_fields_are_invalid_with_a_message_and_store_nothing(
    app, pharmacist, handler, buyer, change, field, message
):
    record = sale(ticket_for(pharmacist), **change)
    (result,) = send(pharmacist, record)
    assert result["status"] == "invalid", result
    assert message in result["errors"][field], result["errors"]
    assert counts() == (0, 0, 0, 0) and not followup_texts(HANDLER)


def test_messages_in_english(app, pharmacist, buyer):
    ticket = ticket_for(pharmacist)
    record = sale(ticket, drugs=[{"name": "Cough syrup", "quantity": 0}], patient_phone="1", district="x")
    (result,) = send(pharmacist, record, lang="en")
    assert result["errors"] == {
        "drugs": "Row 1: please enter a whole quantity from 1 to 99.",
        "patient_phone": "For a purchase for someone else, please enter the patient's mobile number "
        "(11 digits, starting with 1).",
        "district": "Please choose the buyer's district.",
    }


def test_a_ticket_is_the_identifying_pharmacists_only(app, pharmacist, buyer):
    ticket = ticket_for(pharmacist)
    colleague = staff_client(app, "pharmacist", OTHER_PHARMACIST, name="郑药师")
    (result,) = send(colleague, sale(ticket))
    assert result["status"] == "invalid" and "ticket" in result["errors"]
    assert counts() == (0, 0, 0, 0)


def test_clinicians_cannot_send_drug_sales(app, buyer):
    clinician = staff_client(app, "clinician", CLINICIAN, name="冯医生")
    (result,) = send(clinician, sale(ticket_for(clinician)))
    assert result["status"] == "invalid" and "kind" in result["errors"]
    assert counts() == (0, 0, 0, 0)


def test_nothing_is_half_written_when_the_home_check_cannot_be_stored(app, pharmacist, handler, buyer, monkeypatch):
    """A failure after the sale's rows were inserted leaves no sale, no drugs and no home check."""
    from app.services import reports

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(reports, "open_followups", broken)
    ticket = ticket_for(pharmacist)
    results = send(pharmacist, sale(ticket), sale(ticket))
    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert counts() == (0, 0, 0, 0) and not followup_texts(HANDLER)


def test_nothing_is_half_written_when_the_drugs_cannot_be_stored(app, pharmacist, handler, buyer, monkeypatch):
    """One sale the database refuses fails alone: the other sale of the batch is stored whole."""
    ticket = ticket_for(pharmacist)
    bad, good = sale(ticket), sale(ticket)
    from app.services import pharmacy

    real = pharmacy._sale_row

    def refuse_one(staff, record, print_, now):
        row = real(staff, record, print_, now)
        if record["uuid"] == bad["uuid"]:
            row["person_id"] = None  # NOT NULL: the database refuses this sale
        return row

    monkeypatch.setattr(pharmacy, "_sale_row", refuse_one)
    results = send(pharmacist, bad, good)
    assert [r["status"] for r in results] == ["invalid", "stored"]
    assert counts() == (1, 2, 1, 2)
    assert db.session.scalar(select(DrugSale.uuid)) == good["uuid"]


def test_malformed_batches_are_refused_whole(app, pharmacist):
    assert pharmacist.post("/api/care/batch", json={"records": "x"}).status_code == 400
    assert pharmacist.post("/api/care/batch", data=b"\xff", content_type="application/json").status_code == 400
    too_many = [{"kind": "drug_sale"}] * (app.config["BATCH_MAX_RECORDS"] + 1)
    assert pharmacist.post("/api/care/batch", json={"records": too_many}).status_code == 413


# --- the pharmacy's pages -------------------------------------------------------------------------------------


def test_the_pharmacy_lists_its_registrations_newest_first_with_masked_names(app, pharmacist, handler, buyer):
    ticket = ticket_for(pharmacist)
    earlier = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    send(
        pharmacist,
        sale(
            ticket,
            recorded_at=earlier,
            proxy=False,
            patient_phone=None,
            drugs=[{"name": "连花清瘟胶囊", "quantity": 1}],
        ),
    )
    send(pharmacist, sale(ticket))
    response = pharmacist.get("/pharmacy/sales")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "李*药" in page and "李购药" not in page and BUYER_PHONE not in page
    assert page.index("布洛芬缓释胶囊 × 2") < page.index("连花清瘟胶囊 × 1")  # newest first
    assert page.count("代购") == 1 and "已转交网格员" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "drug_sales_listed"))
    assert entry.actor_id == _user_id(PHARMACIST) and len(entry.details["sales"]) == 2

    english = pharmacist.get("/pharmacy/sales?lang=en").get_data(as_text=True)
    assert "Fever-drug registrations" in english and "For someone else" in english
    assert "Lianhua Qingwen capsules × 1" in english and "Sent to the district's handler" in english


def test_one_registration_page_and_its_audit(app, pharmacist, buyer):
    send(pharmacist, sale(ticket_for(pharmacist)))
    sale_id = db.session.scalar(select(DrugSale.id))
    page = pharmacist.get(f"/pharmacy/sales/{sale_id}").get_data(as_text=True)
    assert "李*药" in page and "139****5678" in page and "13912345678" not in page
    assert "布洛芬缓释胶囊 × 2" in page and "37.8 °C" in page and "周药师" in page
    assert db.session.scalar(select(AuditEntry.subject_id).where(AuditEntry.action == "drug_sale_viewed")) == buyer.id
    assert "Fever-drug registration" in pharmacist.get(f"/pharmacy/sales/{sale_id}?lang=en").get_data(as_text=True)


def test_another_pharmacy_never_sees_the_registrations(app, pharmacist, buyer):
    send(pharmacist, sale(ticket_for(pharmacist)))
    sale_id = db.session.scalar(select(DrugSale.id))
    other = staff_client(app, "pharmacist", OTHER_PHARMACIST, name="郑药师", institution=OTHER_PHARMACY)
    page = other.get("/pharmacy/sales").get_data(as_text=True)
    assert "李*药" not in page and "布洛芬" not in page and "暂无登记记录" in page
    response = other.get(f"/pharmacy/sales/{sale_id}")
    assert response.status_code == 404 and "其他药店" in response.get_data(as_text=True)
    assert other.get("/pharmacy/sales/999999").status_code == 404
    assert other.get("/pharmacy/sales/99999999999").status_code == 404


def test_the_sales_pages_are_for_pharmacists_only(app, handler):
    assert handler.get("/pharmacy/sales").status_code == 403
    assert app.test_client().get("/pharmacy/sales").status_code == 302


def test_the_list_pages(app, pharmacist, buyer, monkeypatch):
    from app.services import pharmacy

    monkeypatch.setattr(pharmacy, "SALES_PAGE_SIZE", 2)
    ticket = ticket_for(pharmacist)
    send(pharmacist, *[sale(ticket) for _ in range(3)])
    first = pharmacist.get("/pharmacy/sales").get_data(as_text=True)
    assert first.count('class="sale-item"') == 2 and 'rel="next"' in first
    second = pharmacist.get("/pharmacy/sales?page=2").get_data(as_text=True)
    assert second.count('class="sale-item"') == 1 and 'rel="prev"' in second
    assert pharmacist.get("/pharmacy/sales?page=" + "9" * 30).status_code == 200


# --- oversight -----------------------------------------------------------------------------------------------


def _sales_table(page: str) -> list[list[str]]:
    table = re.search(r"<table[^>]*data-drug-sales-table>(.*?)</table>", page, re.S).group(1)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_oversight_counts_registrations_per_district_per_day_within_the_area(app, pharmacist, buyer):
    ticket = ticket_for(pharmacist)
    today = clock.local_today()
    yesterday = (clock.local_midnight_utc(today) - timedelta(hours=1)).replace(tzinfo=UTC).isoformat()
    send(
        pharmacist,
        sale(ticket),
        sale(ticket),
        sale(ticket, district="460106"),
        sale(ticket, recorded_at=yesterday),
        sale(ticket, district="460202"),  # 三亚市: outside 海口市
    )
    supervisor = staff_client(app, "supervisor", SUPERVISOR, "460100", name="林监督")
    page = supervisor.get("/oversight/").get_data(as_text=True)
    assert "退烧药品购买登记" in page and "最近 14 天共 4 条" in page
    rows = _sales_table(page)
    assert rows[0] == ["日期", "海南省海口市秀英区", "海南省海口市龙华区", "合计"]
    assert rows[1] == [today.isoformat(), "2", "1", "3"]
    assert rows[2] == [(today - timedelta(days=1)).isoformat(), "1", "0", "1"]
    assert all(row[1:] == ["0", "0", "0"] for row in rows[3:]) and len(rows) == 15
    assert "三亚" not in re.search(r"data-drug-sales>(.*?)</section>", page, re.S).group(1)

    sanya = staff_client(app, "supervisor", SANYA_SUPERVISOR, "460200", name="三亚监督")
    assert _sales_table(sanya.get("/oversight/").get_data(as_text=True))[1][1:] == ["1", "1"]
    admin = staff_client(app, "admin", "13900000501", name="管理员")
    assert _sales_table(admin.get("/oversight/").get_data(as_text=True))[1][-1] == "4"
    english = supervisor.get("/oversight/?lang=en").get_data(as_text=True)
    assert "Fever-drug registrations" in english and "4 in the last 14 days" in english


def test_oversight_without_registrations_says_so(app):
    supervisor = staff_client(app, "supervisor", SUPERVISOR, "460100", name="林监督")
    page = supervisor.get("/oversight/").get_data(as_text=True)
    assert "退烧药品购买登记" in page and "该地区这些天没有退烧药品购买登记。" in page


# --- a batch stores its good sales whatever the bad ones beside them contain --------------------------------


def test_a_sale_batch_stores_its_good_records_beside_any_bad_one(app, pharmacist, buyer):
    from hypothesis import given
    from hypothesis import strategies as st

    from tests.test_fuzz import FUZZ, ODD_VALUES, _drug_sale, malformed_records

    ticket = ticket_for(pharmacist)

    @FUZZ
    @given(bad=st.lists(malformed_records(_drug_sale) | ODD_VALUES, min_size=5, max_size=15), at=st.integers(0, 15))
    def check(bad, at):
        good = [sale(ticket), sale(ticket)]
        for record in bad:  # the bad ones carry the real ticket too where they still have one
            if isinstance(record, dict) and record.get("ticket") == "not-a-ticket":
                record["ticket"] = ticket
        records = bad[:at] + good + bad[at:]
        results = send(pharmacist, *records)
        assert len(results) == len(records)
        assert {r["status"] for r in results} <= {"stored", "invalid", "duplicate", "conflict"}
        assert [results[records.index(r)]["status"] for r in good] == ["stored", "stored"]
        uuids = [r["uuid"] for r in good]
        sales = db.session.scalars(select(DrugSale).where(DrugSale.uuid.in_(uuids))).all()
        assert len(sales) == 2 and all(len(s.items) == 2 for s in sales)
        stored_ids = db.session.scalars(select(DrugSale.id)).all()
        followed = db.session.scalars(select(Report.drug_sale_id).where(Report.drug_sale_id.is_not(None))).all()
        assert sorted(followed) == sorted(stored_ids)  # every sale has its home check, and no check lacks a sale
        items_without_sale = db.session.scalar(
            select(func.count()).select_from(DrugSaleItem).where(DrugSaleItem.sale_id.not_in(select(DrugSale.id)))
        )
        assert items_without_sale == 0

    check()
