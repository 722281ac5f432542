"""The resumption survey (复工情况调查): small and micro enterprises and individual businesses say which problems
hold them back; the authority sees how many named each problem, per district and per industry.

Each enterprise has one answer (answering again replaces it). The results are counted in SQL, a few GROUP BY
queries whatever the number of answers.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app.domain.enterprises import INDUSTRIES, SME_SCALES, SURVEY_PROBLEMS, SURVEY_TEXT_MAX, check_problems
from app.extensions import db
from app.infra import clock
from app.models import Enterprise, SurveyAnswer, SurveyProblem, User
from app.models.districts import district_in_area
from app.services.enterprises import EnterpriseError
from app.services.enterprises.declarations import resolve_area

NOTES_SHOWN = 50


def takes_part(enterprise: Enterprise) -> bool:
    """Whether the enterprise is one the survey asks: small, micro or an individual business."""
    return enterprise.scale in SME_SCALES


def answer_of(enterprise: Enterprise) -> SurveyAnswer | None:
    """The enterprise's current answer, if it gave one."""
    return db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.enterprise_id == enterprise.id))


def answer(head: User, enterprise: Enterprise, problems, note: str) -> SurveyAnswer:
    """Store the enterprise's answer, replacing an earlier one (committed)."""
    if not takes_part(enterprise):
        raise EnterpriseError("not_sme")
    try:
        chosen = check_problems(problems)
    except (TypeError, ValueError):
        raise EnterpriseError("problems", "problems") from None
    note = (note or "").strip()
    if len(note) > SURVEY_TEXT_MAX:
        raise EnterpriseError("note", "note", n=SURVEY_TEXT_MAX)
    stored = answer_of(enterprise)
    if stored is None:
        stored = SurveyAnswer(enterprise_id=enterprise.id)
        db.session.add(stored)
    stored.answered_by_id, stored.answered_at, stored.note = head.id, clock.now_utc(), note or None
    stored.problems = [SurveyProblem(problem=problem) for problem in chosen]
    db.session.commit()
    return stored


# --- results ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemBar:
    """How many answers in a group named one problem, and their share of the group's answers."""

    problem: str
    count: int
    share: float


@dataclass(frozen=True)
class Group:
    """A district, an industry or everything: its answers and one bar per problem."""

    key: str
    answers: int
    bars: list = field(default_factory=list)


@dataclass(frozen=True)
class Note:
    """An answer's free text with who wrote it (an enterprise, not a person)."""

    enterprise: str
    district: str
    industry: str
    text: str
    answered_at: datetime


@dataclass(frozen=True)
class SurveyResults:
    """Everything the results page shows for one area and industry."""

    area: str | None
    industry: str
    overall: Group
    by_district: list
    by_industry: list
    notes: list


def _group(key: str, answers: int, counts: dict) -> Group:
    return Group(
        key,
        answers,
        [
            ProblemBar(problem, counts.get(problem, 0), counts.get(problem, 0) / answers if answers else 0.0)
            for problem in SURVEY_PROBLEMS
        ],
    )


def results(staff: User, requested_area: str | None, industry: str) -> SurveyResults:
    """The survey's counts in the staff member's area (or a smaller one inside it), optionally one industry."""
    area = resolve_area(staff, requested_area)
    if industry and industry not in INDUSTRIES:
        raise EnterpriseError("industry", "industry")

    def scoped(query):
        if area is not None:
            query = query.where(district_in_area(Enterprise.district, area))
        return query.where(Enterprise.industry == industry) if industry else query

    def grouped(column) -> list[Group]:
        answers = db.session.execute(
            scoped(
                select(column, func.count(SurveyAnswer.id))
                .join(Enterprise, Enterprise.id == SurveyAnswer.enterprise_id)
                .group_by(column)
            )
        ).all()
        counts: dict[str, dict] = {}
        for key, problem, count in db.session.execute(
            scoped(
                select(column, SurveyProblem.problem, func.count())
                .join(SurveyAnswer, SurveyAnswer.id == SurveyProblem.answer_id)
                .join(Enterprise, Enterprise.id == SurveyAnswer.enterprise_id)
                .group_by(column, SurveyProblem.problem)
            )
        ):
            counts.setdefault(key, {})[problem] = int(count)
        return [_group(key, int(n), counts.get(key, {})) for key, n in sorted(answers)]

    by_district, by_industry = grouped(Enterprise.district), grouped(Enterprise.industry)
    total = sum(group.answers for group in by_district)
    overall_counts: dict[str, int] = {}
    for group in by_district:
        for bar in group.bars:
            overall_counts[bar.problem] = overall_counts.get(bar.problem, 0) + bar.count
    notes = db.session.execute(
        scoped(
            select(
                Enterprise.name, Enterprise.district, Enterprise.industry, SurveyAnswer.note, SurveyAnswer.answered_at
            )
            .join(Enterprise, Enterprise.id == SurveyAnswer.enterprise_id)
            .where(SurveyAnswer.note.is_not(None))
            .order_by(SurveyAnswer.answered_at.desc())
            .limit(NOTES_SHOWN)
        )
    ).all()
    return SurveyResults(
        area,
        industry,
        _group("", total, overall_counts),
        by_district,
        by_industry,
        [Note(*values) for values in notes],
    )
