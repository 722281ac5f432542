"""CSV imports of risk areas and control-list entries: every row checked first, then all or nothing."""
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select, tuple_

from app.domain import districts
from app.domain.idcard import DOCUMENT_KINDS, InvalidIdNumber, validate_other_document, validate_resident_id
from app.extensions import db
from app.models import ControlEntry, RiskArea, User
from app.models.control import CONTROL_STATUSES, RISK_LEVELS
from app.services import clock
from app.services.colours import recolour
from app.services.risk_areas import people_who_were_in
from app.services.documents import doc_hash

LEVEL_WORDS = {"high": "high", "高": "high", "高风险": "high", "medium": "medium", "中": "medium", "中风险": "medium"}
STATUS_WORDS = {**{s: s for s in CONTROL_STATUSES}, "确诊": "confirmed", "疑似": "suspected",
                "无症状": "asymptomatic", "无症状感染者": "asymptomatic", "密接": "close_contact",
                "密切接触者": "close_contact", "次密接": "secondary_contact", "次密切接触者": "secondary_contact"}


@dataclass
class ImportReport:
    """What an import found and did."""

    rows: int = 0
    accepted: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # (line number, message)
    applied: bool = False
    recoloured: int = 0


def _read(text: str, required: tuple[str, ...], report: ImportReport):
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        report.rejected.append((1, f"missing columns: {', '.join(missing)}"))
        return []
    rows = list(reader)
    report.rows = len(rows)
    return list(enumerate(rows, start=2))


def _day(value: str | None, column: str, optional: bool = False) -> date | None:
    value = (value or "").strip()
    if not value and optional:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} must be a date like 2026-11-22") from None


def _period(row) -> tuple[date, date | None]:
    start, end = _day(row.get("start"), "start"), _day(row.get("end"), "end", optional=True)
    if end is not None and end < start:
        raise ValueError("end is before start")
    return start, end


def import_risk_areas(text: str, source: str, apply_partial: bool = False) -> ImportReport:
    """Rows `district,level,start[,end]`; applies in one transaction and recolours people who were there."""
    report = ImportReport()
    for line, row in _read(text, ("district", "level", "start"), report):
        try:
            district = (row.get("district") or "").strip()
            if not districts.is_known(district):
                raise ValueError(f"unknown district {district!r}")
            level = LEVEL_WORDS.get((row.get("level") or "").strip().lower())
            if level not in RISK_LEVELS:
                raise ValueError("level must be high or medium")
            start, end = _period(row)
        except ValueError as error:
            report.rejected.append((line, str(error)))
            continue
        report.accepted.append({"district": district, "level": level, "start": start, "end": end})
    if report.rejected and not apply_partial or not report.accepted:
        return report
    now = clock.now_utc()
    db.session.execute(insert(RiskArea), [{**row, "created_at": now, "source": source} for row in report.accepted])
    places = {row["district"] for row in report.accepted}
    report.recoloured = recolour(people_who_were_in(places), trigger="import:risk_areas").changed
    db.session.commit()
    report.applied = True
    return report


def import_control_list(text: str, source: str, apply_partial: bool = False) -> ImportReport:
    """Rows `doc_number,status,start[,end][,doc_kind]`; applies in one transaction and recolours matches."""
    report = ImportReport()
    today = clock.local_today()
    for line, row in _read(text, ("doc_number", "status", "start"), report):
        try:
            kind = (row.get("doc_kind") or "resident_id").strip()
            if kind not in DOCUMENT_KINDS:
                raise ValueError(f"unknown document kind {kind!r}")
            number = (row.get("doc_number") or "").strip()
            try:
                number = (validate_resident_id(number, today).number if kind == "resident_id"
                          else validate_other_document(kind, number))
            except InvalidIdNumber as error:
                raise ValueError(f"invalid document number ({error.code})") from None
            status = STATUS_WORDS.get((row.get("status") or "").strip().lower())
            if status is None:
                raise ValueError("status must be one of " + ", ".join(CONTROL_STATUSES))
            start, end = _period(row)
        except ValueError as error:
            report.rejected.append((line, str(error)))
            continue
        report.accepted.append({"doc_kind": kind, "doc_hash": doc_hash(kind, number), "status": status,
                                "start": start, "end": end})
    if report.rejected and not apply_partial or not report.accepted:
        return report
    now = clock.now_utc()
    db.session.execute(insert(ControlEntry),
                       [{**row, "created_at": now, "source": source} for row in report.accepted])
    documents = {(row["doc_kind"], row["doc_hash"]) for row in report.accepted}
    affected = select(User.id).where(tuple_(User.doc_kind, User.doc_hash).in_(documents))
    report.recoloured = recolour(db.session.scalars(affected).all(), trigger="import:control").changed
    db.session.commit()
    report.applied = True
    return report
