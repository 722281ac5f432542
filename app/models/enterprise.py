"""Enterprises back at work: the resumption declaration and its reviews, the employees registered under an
enterprise, and its answer to the resumption survey."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.enterprises import INDUSTRIES, SCALES, STATUSES, SURVEY_PROBLEMS  # noqa: F401  (what rows hold)
from app.extensions import db


class Enterprise(db.Model):
    """An enterprise (or individual business) and its resumption declaration (复工复产申报). Its head is the
    resident who registered it: a capability of their resident account, not a role of its own."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码, checked
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(1))  # a section of GB/T 4754, one of INDUSTRIES
    scale: Mapped[str] = mapped_column(String(12))  # one of SCALES
    employees: Mapped[int]
    contact_name: Mapped[str] = mapped_column(String(30))
    contact_phone: Mapped[str] = mapped_column(String(11))
    measures: Mapped[str] = mapped_column(String(2000))  # prevention measures, in the enterprise's words
    head_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    head: Mapped["User"] = relationship(foreign_keys=[head_id])  # noqa: F821
    status: Mapped[str] = mapped_column(String(12), index=True)  # one of STATUSES
    return_reasons: Mapped[str | None] = mapped_column(String(1000))  # the latest return, what to fix
    join_version: Mapped[int] = mapped_column(default=1)  # raised to withdraw every join link given out
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class EnterpriseDecision(db.Model):
    """One review of a declaration by the district's authority staff: approved, or returned with reasons."""

    __tablename__ = "enterprise_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(12))  # approved | returned
    reasons: Mapped[str | None] = mapped_column(String(1000))
    decided_at: Mapped[datetime]


class EnterpriseEmployee(db.Model):
    """An employee's return-to-work registration (员工返岗登记) under one enterprise. Their name and colour
    are read from their own account, so the roster always shows today's colour."""

    __tablename__ = "enterprise_employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(50))
    returned_from: Mapped[str] = mapped_column(String(6))  # a county code (GB/T 2260)
    returned_on: Mapped[date]
    registered_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("enterprise_id", "user_id", name="uq_enterprise_employees_person"),)


class SurveyAnswer(db.Model):
    """A small or micro enterprise's answer to the resumption survey (复工情况调查); answering again replaces it."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), unique=True)
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(1000))  # anything else, in their words
    problems: Mapped[list["SurveyProblem"]] = relationship(cascade="all, delete-orphan")


class SurveyProblem(db.Model):
    """One problem an answer names (one of SURVEY_PROBLEMS), a row each so the charts count them in SQL."""

    __tablename__ = "survey_problems"

    answer_id: Mapped[int] = mapped_column(ForeignKey("survey_answers.id"), primary_key=True)
    problem: Mapped[str] = mapped_column(String(24), primary_key=True)
