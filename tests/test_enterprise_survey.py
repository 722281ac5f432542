"""The resumption survey: small and micro enterprises and individual businesses name their problems; the
authority sees how many named each, per district and per industry, as charts with the numbers beside them."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import SurveyAnswer, SurveyProblem, User
from tests.helpers import ID_NUMBERS, staff_client
from tests.test_enterprise import HEAD_PHONE, credit_code, file_declaration, resident_client


@pytest.fixture
def head(app):
    return resident_client(app, HEAD_PHONE)


@pytest.fixture
def reviewer(app):
    return staff_client(app, "reviewer", "13700000001", name="陈复核")


def answer(client, enterprise, problems, note="", lang=None):
    headers = {"Accept-Language": lang} if lang else {}
    return client.post(
        f"/enterprise/{enterprise.id}/survey", data={"problems": problems, "note": note}, headers=headers
    )


def bar_counts(page: str, chart: str) -> dict:
    """{problem: count} drawn in one chart of the results page."""
    figure = page.split(f'data-chart="{chart}"', 1)[1].split("</figure>", 1)[0]
    return {p: int(n) for p, n in re.findall(r'data-problem="(\w+)" data-count="(\d+)"', figure)}


@pytest.mark.parametrize("lang, words", [("zh", "复工情况调查"), ("en", "Resumption survey")])
def test_a_small_enterprise_is_asked_in_both_languages(head, lang, words):
    enterprise = file_declaration(head)
    assert words in head.get(f"/enterprise/{enterprise.id}", headers={"Accept-Language": lang}).get_data(as_text=True)
    page = head.get(f"/enterprise/{enterprise.id}/survey", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert page.count('name="problems"') == 7 and 'name="note"' in page


def test_answering_and_answering_again(head):
    enterprise = file_declaration(head)
    assert answer(head, enterprise, ["funds", "staff"], "订单减少，资金周转困难").status_code == 302
    stored = db.session.scalar(select(SurveyAnswer))
    assert sorted(p.problem for p in stored.problems) == ["funds", "staff"]
    page = head.get(f"/enterprise/{enterprise.id}/survey").get_data(as_text=True)
    assert re.search(r'value="funds"[^>]*checked|checked[^>]*value="funds"', page)  # the form holds the answer
    assert answer(head, enterprise, ["logistics"], "").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 1
    assert db.session.scalars(select(SurveyProblem.problem)).all() == ["logistics"]
    assert db.session.scalar(select(SurveyAnswer.note)) is None
    assert answer(head, enterprise, []).status_code == 302  # no problems at all is an answer too
    assert db.session.scalar(select(func.count()).select_from(SurveyProblem)) == 0


def test_large_enterprises_are_not_asked(head):
    enterprise = file_declaration(head, scale="large")
    assert "/survey" not in head.get(f"/enterprise/{enterprise.id}").get_data(as_text=True)
    assert head.get(f"/enterprise/{enterprise.id}/survey").status_code == 404
    assert answer(head, enterprise, ["funds"]).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 0


@pytest.mark.parametrize(
    "problems, note, field, words",
    [
        (["weather"], "", "problems", "Please choose problems from the list."),
        (["funds", "x" * 500], "", "problems", "Please choose problems from the list."),
        (["funds"], "很" * 1001, "note", ""),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(head, problems, note, field, words):
    enterprise = file_declaration(head)
    response = answer(head, enterprise, problems, note, lang="en")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in page and "error-summary" in page
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 0


def test_another_head_cannot_answer_for_an_enterprise(app, head):
    enterprise = file_declaration(head)
    other = resident_client(app, "13900000011", name="王大力", doc_number=ID_NUMBERS[1])
    assert answer(other, enterprise, ["funds"]).status_code == 404


# --- results ------------------------------------------------------------------------------------------------


@pytest.fixture
def answered(app, head):
    """Three answers: two in 秀英区 (manufacturing, catering), one in 海棠区, Sanya (catering)."""
    first = file_declaration(head)
    answer(head, first, ["staff", "funds"], "原材料涨价，资金紧张")
    second = file_declaration(head, credit_code=credit_code("MA5T9K7P"), name="秀英区小明早餐店", industry="H")
    answer(head, second, ["funds", "prevention_supplies"])
    third_head = resident_client(app, "13900000011", name="王大力", doc_number=ID_NUMBERS[1])
    third = file_declaration(
        third_head, credit_code=credit_code("MA5TQ3RW"), name="三亚海风餐厅", district="460202", industry="H"
    )
    answer(third_head, third, ["funds", "orders", "logistics"])
    return first, second, third


@pytest.mark.parametrize("lang, words", [("zh", "复工情况调查结果"), ("en", "Resumption survey results")])
def test_results_per_district_and_industry_with_numbers(answered, reviewer, lang, words):
    response = reviewer.get("/enterprise/review/survey", headers={"Accept-Language": lang})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert words in page
    assert bar_counts(page, "chart-overall") == {
        "staff": 1,
        "raw_materials": 0,
        "funds": 3,
        "orders": 1,
        "logistics": 1,
        "prevention_supplies": 1,
        "policy": 0,
    }
    assert bar_counts(page, "chart-district-460105")["funds"] == 2
    assert bar_counts(page, "chart-district-460202") == {
        "staff": 0,
        "raw_materials": 0,
        "funds": 1,
        "orders": 1,
        "logistics": 1,
        "prevention_supplies": 0,
        "policy": 0,
    }
    assert bar_counts(page, "chart-industry-H")["funds"] == 2
    assert bar_counts(page, "chart-industry-C") == {
        **dict.fromkeys(bar_counts(page, "chart-overall"), 0),
        "staff": 1,
        "funds": 1,
    }
    assert "3 · 100%" in page and "1 · 33%" in page  # the numbers beside the bars
    assert "原材料涨价，资金紧张" in page  # their own words


def test_results_filtered_by_area_and_industry(answered, reviewer):
    page = reviewer.get("/enterprise/review/survey?area=460200").get_data(as_text=True)
    assert bar_counts(page, "chart-overall")["funds"] == 1 and "chart-district-460105" not in page
    page = reviewer.get("/enterprise/review/survey?industry=C").get_data(as_text=True)
    assert bar_counts(page, "chart-overall") == bar_counts(page, "chart-industry-C")
    assert "chart-industry-H" not in page


def test_staff_with_a_scope_see_only_their_area(answered, reviewer):
    staff = db.session.scalar(select(User).where(User.phone == "13700000001"))
    staff.scope_district = "460200"
    db.session.commit()
    page = reviewer.get("/enterprise/review/survey").get_data(as_text=True)
    assert "chart-district-460202" in page and "chart-district-460105" not in page
    assert "原材料涨价" not in page
    assert reviewer.get("/enterprise/review/survey?area=460100").status_code == 403


def test_no_answers_yet(reviewer):
    page = reviewer.get("/enterprise/review/survey", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "0 small and micro enterprises and individual businesses answered" in page


@pytest.mark.parametrize("query", ["?area=999999", "?industry=Z", "?industry=" + "C" * 3000, "?area=%00"])
def test_odd_filters_are_a_message_not_a_crash(reviewer, query):
    response = reviewer.get("/enterprise/review/survey" + query, headers={"Accept-Language": "en"})
    assert response.status_code in (400, 422)
    assert "Please choose" in response.get_data(as_text=True)
