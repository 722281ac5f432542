"""Public reports (Hainan seed): epidemic clues and supervision reports, routed to district handlers."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

# drug_check: 网格员上门核查 of a fever-drug buyer, opened by the pharmacy's registration (app.models.pharmacy).
REPORT_KINDS = ("clue", "supervision", "drug_check")
# 疫情线索提供: exactly the seed's four conditions.
CLUE_CONDITIONS = ("stayed_in_epidemic_area", "unprotected_contact", "symptoms", "none")
# 疫情群众监督举报: the seed's five types.
SUPERVISION_TYPES = ("movement", "gathering", "price_gouging", "counterfeit", "unauthorised_resumption")
REPORT_STATES = ("submitted", "notified", "verifying", "resolved", "unfounded")


class Report(db.Model):
    """A report from a resident about a place in a district; the district's handler follows it up."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    district: Mapped[str] = mapped_column(String(6))
    place: Mapped[str] = mapped_column(String(200))
    suspect_name: Mapped[str | None] = mapped_column(String(64))  # clue reports
    condition: Mapped[str | None] = mapped_column(String(32))  # clue reports
    report_type: Mapped[str | None] = mapped_column(String(32))  # supervision reports
    description: Mapped[str] = mapped_column(String(2000), default="")
    submitted_at: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10), default="submitted")
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(2000))
    drug_sale_id: Mapped[int | None] = mapped_column(ForeignKey("drug_sales.id"))  # drug_check: the sale to verify

    updates: Mapped[list["ReportUpdate"]] = relationship(order_by="ReportUpdate.at", back_populates="report")

    __table_args__ = (
        Index("ix_reports_district_state", "district", "state"),
        Index("ix_reports_reporter", "reporter_id"),
        Index("ix_reports_drug_sale", "drug_sale_id", unique=True),  # one follow-up per sale
    )


class ReportUpdate(db.Model):
    """One step of a report's handling: who did what, when, with a note."""

    __tablename__ = "report_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system (routing)
    state: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(2000), default="")

    report: Mapped[Report] = relationship(back_populates="updates")
