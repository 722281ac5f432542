"""Place fields through the Flask client: any county of the country is accepted, unknown codes are refused with a
message by the field, pages list only the local area (the picker loads the rest), and the data is served."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.infra import clock
from app.models import Checkin, Report, RiskArea, User
from app.models.staff import StaffInvite
from tests.helpers import ID_NUMBERS, checkin_record, sign_in, staff_client

PROFILE = {
    "name": "张小明",
    "doc_kind": "resident_id",
    "doc_number": ID_NUMBERS[0],
    "address": "杭州市西湖区文三路1号",
    "district": "330106",
    "promise": "y",
}


def options(page_text: str, name: str) -> list[str]:
    """The option values of the <select name=...> of a page."""
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page_text, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', select_html)


@pytest.fixture
def signed_in(client):
    sign_in(client)
    return client


def test_a_profile_in_another_province_is_saved_and_shown_by_name(signed_in):
    assert signed_in.post("/profile", data=PROFILE).status_code == 302
    assert db.session.scalar(select(User.district)) == "330106"
    page = signed_in.get("/profile").get_data(as_text=True)
    listed = options(page, "district")
    assert "330106" in listed and "460105" in listed and len(listed) < 40
    assert re.search(r'<option selected value="330106">浙江省杭州市西湖区</option>', page)
    assert 'data-place-picker="district"' in page and "/static/data/places.zh.json" in page
    english = signed_in.get("/profile?lang=en").get_data(as_text=True)
    assert "Xihu, Hangzhou, Zhejiang" in english and "/static/data/places.en.json" in english


@pytest.mark.parametrize("district", ["999999", "330100", "330000", "330103", "33010６", "x" * 5000])
def test_a_profile_with_a_code_that_is_no_district_is_refused_by_the_field(signed_in, district):
    page = signed_in.post("/profile", data={**PROFILE, "district": district})
    assert page.status_code == 422
    assert "请从列表中选择区县。" in page.get_data(as_text=True)
    english = signed_in.post("/profile?lang=en", data={**PROFILE, "district": district})
    assert "Please choose a district from the list." in english.get_data(as_text=True)
    assert db.session.scalar(select(User.district)) is None


def test_an_id_number_from_no_province_is_explained(signed_in):
    number = "990105199003071234"
    page = signed_in.post("/profile", data={**PROFILE, "doc_number": number})
    assert page.status_code == 422 and "不是省级行政区代码" in page.get_data(as_text=True)
    english = signed_in.post("/profile?lang=en", data={**PROFILE, "doc_number": number})
    assert "not a province of China" in english.get_data(as_text=True)


def test_checkins_accept_any_district_of_the_country_and_refuse_the_rest(resident):
    yesterday = (clock.local_today() - timedelta(days=1)).isoformat()
    good = checkin_record(
        district="441900",  # 东莞: a city without counties
        visits=[{"district": "330106", "day": yesterday}, {"district": "810000", "day": yesterday}],
        arrival={"from_district": "540102", "day": yesterday, "transport": "plane"},
    )
    bad = [
        checkin_record(district="330100"),  # a city: the check-in needs the county
        checkin_record(visits=[{"district": "130171", "day": yesterday}]),  # a statistical zone, not GB/T 2260
        checkin_record(arrival={"from_district": "330103", "day": yesterday, "transport": "train"}),  # abolished
    ]
    answer = resident.post("/api/checkins/batch?lang=en", json={"records": [good, *bad]}).get_json()["results"]
    assert [result["status"] for result in answer] == ["stored", "invalid", "invalid", "invalid"]
    assert set(answer[1]["errors"]) == {"district"} and set(answer[2]["errors"]) == {"visits"}
    assert set(answer[3]["errors"]) == {"arrival"}
    assert db.session.scalars(select(Checkin.district)).all() == ["441900"]


def test_the_checkin_page_lists_the_local_area_and_loads_the_rest(resident):
    page = resident.get("/checkin").get_data(as_text=True)
    for name in ("district", "arrival_from", "visit_district"):
        listed = options(page, name)
        assert 20 < len(listed) < 40 and all(code == "" or code.startswith("46") for code in listed), name
    assert page.count('data-place-picker="district"') == 3
    assert len(page) < 60_000


def test_a_risk_area_may_be_a_city_elsewhere_and_covers_its_counties(app, resident):
    resident.post("/api/checkins/batch", json={"records": [checkin_record(district="330106")]})
    assert resident.get("/api/code").get_json()["colour"] == "green"
    admin = staff_client(app, "admin", "13700000001")
    page = admin.get("/authority/risk-areas").get_data(as_text=True)
    assert 'data-place-picker="area"' in page and len(options(page, "district")) < 40
    today = clock.local_today().isoformat()
    page = admin.post(
        "/authority/risk-areas", data={"district": "330100", "level": "high", "start": today}, follow_redirects=True
    )
    assert "浙江省杭州市 已列为高风险地区，1 人的健康码颜色发生变化。" in page.get_data(as_text=True)
    assert db.session.scalars(select(RiskArea.district)).all() == ["330100"]
    assert resident.get("/api/code").get_json()["colour"] == "yellow"
    refused = admin.post("/authority/risk-areas", data={"district": "469000", "level": "high", "start": today})
    assert refused.status_code == 422 and "请选择地区" in refused.get_data(as_text=True)


def test_reports_may_name_a_district_elsewhere_and_refuse_unknown_ones(resident):
    clue = {"suspect_name": "李四", "place": "文三路2号", "condition": "symptoms", "description": "连续咳嗽三天"}
    assert resident.post("/reports/clue", data={**clue, "district": "330106"}).status_code == 302
    assert db.session.scalar(select(Report.district)) == "330106"
    refused = resident.post("/reports/clue", data={**clue, "district": "330100"})
    assert refused.status_code == 422 and "请选择所在区县。" in refused.get_data(as_text=True)


def test_staff_scopes_anywhere_in_the_country(app):
    admin = staff_client(app, "admin", "13700000001")
    assert admin.post("/authority/staff", data={"role": "supervisor", "scope_district": "330100"}).status_code == 200
    assert db.session.scalar(select(StaffInvite.scope_district)) == "330100"
    page = admin.post("/authority/staff", data={"role": "supervisor", "scope_district": "123456"})
    assert page.status_code == 422 and "请选择地区" in page.get_data(as_text=True)


def test_the_overview_lists_the_local_areas_and_shows_any_area(app):
    admin = staff_client(app, "admin", "13700000001")
    page = admin.get("/oversight/?area=330100").get_data(as_text=True)
    listed = options(page, "area")
    assert "330100" in listed and "460100" in listed and len(listed) < 40
    assert "浙江省杭州市" in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_place_data_is_served_as_static_json(client, lang):
    with client.get(f"/static/data/places.{lang}.json") as response:
        assert response.status_code == 200 and response.mimetype == "application/json"
        places = response.get_json()["places"]
    assert len(places) > 3000
    assert ["330106", "330100", "西湖区" if lang == "zh" else "Xihu"] in places
