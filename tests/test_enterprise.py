"""The resumption declaration: a resident registers an enterprise and files it, the authority approves it or
returns it with reasons, the enterprise fixes it and files again; its pages are its head's alone."""

import pytest
from sqlalchemy import func, select

from app.domain.enterprises import credit_check_character, org_code_check_character
from app.extensions import db
from app.models import AuditEntry, Enterprise, EnterpriseDecision, User
from tests.helpers import ID_NUMBERS, fill_profile, sign_in, staff_client

HEAD_PHONE, OTHER_HEAD_PHONE = "13900000001", "13900000011"


def credit_code(body: str = "MA5T2A3B", area: str = "460100", kind: str = "91") -> str:
    """A well-formed unified social credit code around an 8-character organisation code body."""
    first17 = kind + area + body + org_code_check_character(body)
    return first17 + credit_check_character(first17)


def declaration(**changes) -> dict:
    """The declaration form as a head fills it in."""
    fields = {
        "name": "海口椰风食品有限公司",
        "credit_code": credit_code(),
        "scale": "small",
        "industry": "C",
        "district": "460105",
        "address": "海口市秀英区长滨路8号",
        "employees": "25",
        "contact_name": "张小明",
        "contact_phone": "13900000001",
        "measures": "入口测温、佩戴口罩、每日消毒、错峰就餐",
        "promise": "y",
    }
    fields.update(changes)
    return fields


def resident_client(app, phone: str, name: str = "张小明", doc_number: str = ID_NUMBERS[0], district="460105"):
    client = app.test_client()
    sign_in(client, phone)
    fill_profile(client, name=name, doc_number=doc_number, district=district)
    return client


def file_declaration(client, **changes) -> Enterprise:
    response = client.post("/enterprise/new", data=declaration(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(Enterprise).order_by(Enterprise.id.desc())).first()


def decide(staff, enterprise_id: int, decision: str, reasons: str = "", lang: str | None = None):
    headers = {"Accept-Language": lang} if lang else {}
    return staff.post(
        f"/enterprise/review/{enterprise_id}", data={"decision": decision, "reasons": reasons}, headers=headers
    )


def approved_enterprise(app, head, admin, **changes) -> Enterprise:
    enterprise = file_declaration(head, **changes)
    assert decide(admin, enterprise.id, "approved").status_code == 302
    db.session.refresh(enterprise)
    return enterprise


@pytest.fixture
def head(app):
    return resident_client(app, HEAD_PHONE)


@pytest.fixture
def admin(app):
    return staff_client(app, "admin", "13700000000", name="李审核")


@pytest.fixture
def reviewer(app):
    return staff_client(app, "reviewer", "13700000001", name="陈复核")


# --- filing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, words", [("zh", "复工复产申报"), ("en", "Resumption declaration")])
def test_the_declaration_form_speaks_both_languages(head, lang, words):
    page = head.get("/enterprise/new", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert words in page
    assert 'name="credit_code"' in page and 'name="measures"' in page
    assert "张小明" in page  # the contact is the head until they change it


def test_a_resident_files_a_declaration_and_becomes_its_head(app, head):
    enterprise = file_declaration(head, credit_code="  91460100-ma5t2a3bxf ")
    assert enterprise.credit_code == credit_code()
    assert enterprise.status == "submitted"
    head_user = db.session.scalar(select(User).where(User.phone == HEAD_PHONE))
    assert enterprise.head_id == head_user.id
    assert head_user.role == "resident"  # a capability of the resident account, not a new role
    assert head.get("/code").status_code == 200  # they keep their own code
    page = head.get(f"/enterprise/{enterprise.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Waiting for review" in page
    assert "/enterprise/join/" not in page  # no join link before approval
    assert head.get(f"/enterprise/{enterprise.id}/join-code").status_code == 404
    assert "海口椰风食品有限公司" in head.get("/enterprise/").get_data(as_text=True)


def test_a_resident_without_a_profile_fills_it_first(client):
    sign_in(client, "13900000021")
    response = client.get("/enterprise/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")


@pytest.mark.parametrize(
    "code, zh, en",
    [
        ("9146010", "18 位", "18 characters; you entered 7"),
        ("91460100MA5T2A3BXI", "第 18 位", "Character 18, “I”"),
        ("94460100MA5T2A3BXF", "“94”", "cannot start with “94”"),
        ("91990100MA5T2A3BXF", "“990100”", "“990100” is not one"),
        ("91460100MA5T2A3B0F", "组织机构代码", "organisation code"),
        ("91460100MA5T2A3BXA", "最后一位", "The last character"),
    ],
)
def test_a_bad_credit_code_is_explained_beside_the_field_in_both_languages(head, code, zh, en):
    for lang, words in (("zh", zh), ("en", en)):
        response = head.post("/enterprise/new", data=declaration(credit_code=code), headers={"Accept-Language": lang})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert words in page, page
        assert 'id="credit_code-error"' in page  # beside the field
        assert "error-summary" in page  # and at the top
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_a_bad_code_is_named_together_with_the_other_missing_fields(head):
    response = head.post(
        "/enterprise/new", data={"credit_code": "91460100MA5T2A3BXA"}, headers={"Accept-Language": "en"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="credit_code-error"' in page and "The last character" in page
    assert 'id="name-error"' in page and 'id="measures-error"' in page


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": "海"}, "name"),
        ({"name": "   "}, "name"),
        ({"district": "999999"}, "district"),
        ({"address": "海口"}, "address"),
        ({"industry": "Z"}, "industry"),
        ({"scale": "huge"}, "scale"),
        ({"employees": "0"}, "employees"),
        ({"employees": "abc"}, "employees"),
        ({"employees": "99999999999999999999"}, "employees"),
        ({"contact_name": "张"}, "contact_name"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"measures": "戴口罩"}, "measures"),
        ({"measures": "x" * 2001}, "measures"),
        ({"promise": ""}, "promise"),
        ({"scale": "individual"}, "credit_code"),  # an individual business's code starts with 92
        ({"credit_code": credit_code(kind="92")}, "scale"),  # and a 92 code is an individual business's
    ],
)
def test_each_bad_field_is_refused_beside_it_and_nothing_is_stored(head, changes, field):
    response = head.post("/enterprise/new", data=declaration(**changes))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_an_individual_business_files_with_its_92_code(head):
    enterprise = file_declaration(head, scale="individual", credit_code=credit_code(kind="92"), name="秀英区小明早餐店")
    assert enterprise.scale == "individual"


def test_a_code_registered_once_cannot_be_registered_again(app, head):
    file_declaration(head)
    other = resident_client(app, OTHER_HEAD_PHONE, name="王大力", doc_number=ID_NUMBERS[1])
    response = other.post("/enterprise/new", data=declaration(), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "already registered" in response.get_data(as_text=True)


# --- only the head sees an enterprise ---------------------------------------------------------------------


def test_another_resident_cannot_see_or_change_someone_elses_enterprise(app, head, admin):
    enterprise = approved_enterprise(app, head, admin)
    other = resident_client(app, OTHER_HEAD_PHONE, name="王大力", doc_number=ID_NUMBERS[1])
    base = f"/enterprise/{enterprise.id}"
    for path in (base, f"{base}/edit", f"{base}/join-code", f"{base}/roster", f"{base}/roster.csv", f"{base}/survey"):
        assert other.get(path).status_code == 404, path
    for path in (f"{base}/edit", f"{base}/join-code/renew", f"{base}/roster/1/remove", f"{base}/survey"):
        assert other.post(path, data=declaration()).status_code == 404, path
    assert db.session.get(Enterprise, enterprise.id).join_version == 1


def test_staff_cannot_open_the_heads_pages(app, head, admin):
    enterprise = approved_enterprise(app, head, admin)
    assert admin.get(f"/enterprise/{enterprise.id}").status_code == 403
    assert admin.get(f"/enterprise/{enterprise.id}/roster").status_code == 403


# --- review ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, words", [("zh", "复工复产申报"), ("en", "Enterprise declarations")])
def test_the_authority_lists_waiting_declarations_in_both_languages(app, head, reviewer, lang, words):
    file_declaration(head)
    page = reviewer.get("/enterprise/review/", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert "海口椰风食品有限公司" in page
    assert words in page or lang == "zh"
    assert "13900000001" not in page  # the list shows no contact details


def test_returning_with_reasons_then_fixing_and_approving(app, head, reviewer):
    enterprise = file_declaration(head)
    response = decide(reviewer, enterprise.id, "returned", "防控措施缺少员工健康监测和消毒记录，请补充。")
    assert response.status_code == 302
    page = head.get(f"/enterprise/{enterprise.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Returned: please fix and file again" in page
    assert "防控措施缺少员工健康监测和消毒记录，请补充。" in page
    edit = head.get(f"/enterprise/{enterprise.id}/edit").get_data(as_text=True)
    assert "防控措施缺少员工健康监测和消毒记录，请补充。" in edit  # what to fix, above the form
    assert "入口测温" in edit  # the form holds what was filed

    better = "入口测温、佩戴口罩、每日消毒并登记、员工每日健康监测"
    response = head.post(f"/enterprise/{enterprise.id}/edit", data=declaration(measures=better))
    assert response.status_code == 302
    db.session.refresh(enterprise)
    assert (enterprise.status, enterprise.measures) == ("submitted", better)

    assert decide(reviewer, enterprise.id, "approved").status_code == 302
    db.session.refresh(enterprise)
    assert enterprise.status == "approved" and enterprise.return_reasons is None
    decisions = db.session.scalars(select(EnterpriseDecision.decision).order_by(EnterpriseDecision.id)).all()
    assert decisions == ["returned", "approved"]
    page = head.get(f"/enterprise/{enterprise.id}").get_data(as_text=True)
    assert "/enterprise/join/" in page
    assert head.get(f"/enterprise/{enterprise.id}/edit").status_code == 302  # approved: locked


@pytest.mark.parametrize(
    "lang, words", [("zh", "请说明企业需要整改的内容"), ("en", "Please say what the enterprise must fix")]
)
def test_returning_needs_reasons(head, reviewer, lang, words):
    enterprise = file_declaration(head)
    response = decide(reviewer, enterprise.id, "returned", "  ", lang=lang)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert db.session.get(Enterprise, enterprise.id).status == "submitted"


@pytest.mark.parametrize("decision", ["", "maybe", "approved' OR 1=1"])
def test_a_decision_not_on_the_list_is_refused(head, reviewer, decision):
    enterprise = file_declaration(head)
    assert decide(reviewer, enterprise.id, decision).status_code == 422
    assert db.session.get(Enterprise, enterprise.id).status == "submitted"


def test_a_returned_declaration_waits_for_the_enterprise_and_an_approved_one_can_be_returned(app, head, admin):
    enterprise = file_declaration(head)
    decide(admin, enterprise.id, "returned", "请补充消毒记录")
    assert decide(admin, enterprise.id, "approved").status_code == 409
    head.post(f"/enterprise/{enterprise.id}/edit", data=declaration())
    decide(admin, enterprise.id, "approved")
    assert decide(admin, enterprise.id, "approved").status_code == 409
    assert decide(admin, enterprise.id, "returned", "现场检查发现未落实测温").status_code == 302
    assert db.session.get(Enterprise, enterprise.id).status == "returned"


def test_reading_a_declaration_and_deciding_are_audited(app, head, reviewer):
    enterprise = file_declaration(head)
    page = reviewer.get(f"/enterprise/review/{enterprise.id}").get_data(as_text=True)
    assert "13900000001" in page  # the contact's phone, for the reviewer to call
    decide(reviewer, enterprise.id, "approved")
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("enterprise_viewed") == 2 and actions[-1] == "enterprise_decided"


def test_a_missing_declaration_is_404(reviewer):
    assert reviewer.get("/enterprise/review/999").status_code == 404


def test_staff_with_a_district_scope_see_only_their_district(app, head, reviewer):
    here = file_declaration(head)  # 秀英区 460105
    other = resident_client(app, OTHER_HEAD_PHONE, name="王大力", doc_number=ID_NUMBERS[1])
    there = file_declaration(other, credit_code=credit_code("MA5T9K7P"), name="三亚海风酒店", district="460202")
    staff = db.session.scalar(select(User).where(User.phone == "13700000001"))
    staff.scope_district = "460100"  # 海口市: its counties
    db.session.commit()

    page = reviewer.get("/enterprise/review/").get_data(as_text=True)
    assert "海口椰风食品有限公司" in page and "三亚海风酒店" not in page
    assert reviewer.get(f"/enterprise/review/{there.id}").status_code == 403
    assert decide(reviewer, there.id, "approved").status_code == 403
    assert db.session.get(Enterprise, there.id).status == "submitted"
    assert reviewer.get("/enterprise/review/?area=460200").status_code == 403  # 三亚市 is outside
    assert reviewer.get(f"/enterprise/review/{here.id}").status_code == 200


@pytest.mark.parametrize(
    "query", ["?status=closed", "?area=999999", "?area=" + "4" * 5000, "?page=-5", "?page=" + "9" * 40]
)
def test_odd_review_filters_are_a_message_not_a_crash(reviewer, query):
    response = reviewer.get("/enterprise/review/" + query)
    assert response.status_code in (200, 400, 422)
