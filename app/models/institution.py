"""Medical institutions and pharmacies whose staff (clinicians, pharmacists) serve people by their code."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.vocabulary import INSTITUTION_KINDS  # noqa: F401  (the kinds a row may hold)
from app.extensions import db


class Institution(db.Model):
    """A hospital, clinic, community health centre or pharmacy; its staff see only its own records."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # one of INSTITUTION_KINDS
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    licence_number: Mapped[str | None] = mapped_column(String(32))  # pharmacies: 药品经营许可证编号
    created_at: Mapped[datetime]
