"""Fever and cough drug sales registered at pharmacies (购药登记), with the drugs sold in each."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class DrugSale(db.Model):
    """One registration: who bought (identified by code or ID number), where they live, what was measured and
    answered; stored once per client-generated UUID. The district's handler follows it up (a report)."""

    __tablename__ = "drug_sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # the buyer
    recorded_at: Mapped[datetime]  # device time (UTC)
    received_at: Mapped[datetime]
    day: Mapped[date]  # the local day of recorded_at (oversight counts per day)
    district: Mapped[str] = mapped_column(String(6))  # the buyer's residence, as registered
    address: Mapped[str] = mapped_column(String(200))
    temperature: Mapped[float]
    epidemic_area: Mapped[bool] = mapped_column(default=False)  # stayed in an epidemic area
    fever_contact: Mapped[bool] = mapped_column(default=False)  # contact with people with a fever
    proxy: Mapped[bool] = mapped_column(default=False)  # 代购: bought for someone else
    patient_phone: Mapped[str | None] = mapped_column(String(11))  # the actual patient's, for a proxy purchase
    note: Mapped[str] = mapped_column(String(200), default="")

    items: Mapped[list["DrugSaleItem"]] = relationship(order_by="DrugSaleItem.position", back_populates="sale")

    __table_args__ = (
        Index("ix_drug_sales_institution_time", "institution_id", "recorded_at"),
        Index("ix_drug_sales_district_day", "district", "day"),
    )


class DrugSaleItem(db.Model):
    """One row of a sale: a listed medicine (by code) or a typed one, and how many packs."""

    __tablename__ = "drug_sale_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("drug_sales.id"), index=True)
    position: Mapped[int]
    drug_code: Mapped[str | None] = mapped_column(String(40))  # None: typed by the seller
    name: Mapped[str] = mapped_column(String(64))  # as entered
    quantity: Mapped[int]

    sale: Mapped[DrugSale] = relationship(back_populates="items")
