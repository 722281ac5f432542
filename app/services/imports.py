"""CSV imports of risk areas and control-list entries: every row checked first, then all or nothing.

The CLI imports a file in one go; the console uploads a control-list file, shows a preview with the
rejected rows, and applies it later in one transaction while reporting progress.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, insert, select

from app.domain import districts
from app.domain.idcard import DOCUMENT_KINDS, InvalidIdNumber, validate_other_document, validate_resident_id
from app.domain.vocabulary import CONTROL_STATUSES, RISK_LEVELS
from app.extensions import db
from app.infra import audit, clock
from app.infra.documents import doc_hasher
from app.infra.outbox import parse_day
from app.models import ControlEntry, ControlUpload, RiskArea, User
from app.services.colours import Recoloured, recolour
from app.services.errors import DomainError
from app.services.risk_areas import people_who_were_in

LEVEL_WORDS = {
    **{level: level for level in RISK_LEVELS},
    "高": "high",
    "高风险": "high",
    "中": "medium",
    "中风险": "medium",
}
STATUS_WORDS = {
    **{s: s for s in CONTROL_STATUSES},
    "确诊": "confirmed",
    "疑似": "suspected",
    "无症状": "asymptomatic",
    "无症状感染者": "asymptomatic",
    "密接": "close_contact",
    "密切接触者": "close_contact",
    "次密接": "secondary_contact",
    "次密切接触者": "secondary_contact",
}
ROW_ERRORS = {
    "missing_columns": _l("missing columns: %(columns)s"),
    "field_too_long": _l("a field is longer than %(limit)s characters"),
    "unknown_district": _l("unknown district %(value)s"),
    "bad_level": _l("the level must be high or medium (高/中)"),
    "bad_date": _l("%(column)s must be a date like 2026-11-22"),
    "end_before_start": _l("the end is before the start"),
    "unknown_doc_kind": _l("unknown document kind %(value)s"),
    "bad_doc_number": _l("the document number is not valid"),
    "bad_status": _l(
        "the status must be one of: confirmed, suspected, asymptomatic, close_contact, "
        "secondary_contact (确诊/疑似/无症状/密接/次密接)"
    ),
}
PREVIEW_REJECTED = 200  # rejected rows kept for the preview; the count covers all of them
APPLY_CHUNK = 5000  # rows written, and people recoloured, between two progress reports


class RowError(DomainError):
    """Why a row was rejected, or an upload refused, as a code with parameters (shown in the reader's language)."""

    messages = {**ROW_ERRORS, "not_applicable": _l("This upload has already been applied or discarded.")}
    statuses = {"not_applicable": 409}


def row_error_text(code: str, params: dict) -> str:
    """The message for a rejected row in the current language."""
    return RowError(code, **params).message


@dataclass
class ImportReport:
    """What an import found and did; `rejected` holds (line, code, params)."""

    rows: int = 0
    accepted: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    applied: bool = False
    recoloured: int = 0


def _cells(text: str) -> Iterator[list[str] | None]:
    """The file's non-empty rows as lists of cells; None for a row with a field over the csv module's limit
    (reading goes on with the next line)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None
            continue
        if cells:
            yield cells


def _read(text: str, required: tuple[str, ...], report: ImportReport) -> list[tuple[int, dict | None]]:
    """(line, row as a dict by column name) for each row after the header; the row is None when it could
    not be read (see _cells). A header without the required columns rejects the file."""
    rows = _cells(text)
    header = next(rows, None) or []
    missing = [name for name in required if name not in header]
    if missing:
        report.rejected.append((1, "missing_columns", {"columns": ", ".join(missing)}))
        return []
    found = [(line, None if cells is None else dict(zip(header, cells))) for line, cells in enumerate(rows, start=2)]
    report.rows = len(found)
    return found


def _readable(row: dict | None) -> dict:
    if row is None:
        raise RowError("field_too_long", limit=csv.field_size_limit())
    return row


def _day(value: str | None, column: str, optional: bool = False) -> date | None:
    value = (value or "").strip()
    if not value and optional:
        return None
    day = parse_day(value)
    if day is None:
        raise RowError("bad_date", column=column)
    return day


def _period(row) -> tuple[date, date | None]:
    start, end = _day(row.get("start"), "start"), _day(row.get("end"), "end", optional=True)
    if end is not None and end < start:
        raise RowError("end_before_start")
    return start, end


def check_risk_area_rows(text: str) -> ImportReport:
    """Rows `district,level,start[,end]`, checked; nothing is written."""
    report = ImportReport()
    for line, row in _read(text, ("district", "level", "start"), report):
        try:
            row = _readable(row)
            district = (row.get("district") or "").strip()
            if not districts.is_area(district):
                raise RowError("unknown_district", value=district[:20])
            level = LEVEL_WORDS.get((row.get("level") or "").strip().lower())
            if level not in RISK_LEVELS:
                raise RowError("bad_level")
            start, end = _period(row)
        except RowError as error:
            report.rejected.append((line, error.code, error.params))
            continue
        report.accepted.append({"district": district, "level": level, "start": start, "end": end})
    return report


def import_risk_areas(text: str, source: str, apply_partial: bool = False) -> ImportReport:
    """Check the rows; apply them in one transaction (unless some are bad) and recolour people who were there."""
    report = check_risk_area_rows(text)
    if report.rejected and not apply_partial or not report.accepted:
        return report
    now = clock.now_utc()
    db.session.execute(insert(RiskArea), [{**row, "created_at": now, "source": source} for row in report.accepted])
    places = {row["district"] for row in report.accepted}
    report.recoloured = recolour(people_who_were_in(places), trigger="import:risk_areas").changed
    db.session.commit()
    report.applied = True
    return report


def check_control_rows(text: str) -> ImportReport:
    """Rows `doc_number,status,start[,end][,doc_kind]`, checked and hashed; nothing is written."""
    report = ImportReport()
    today = clock.local_today()
    accepted, rejected, hash_document = report.accepted, report.rejected, doc_hasher()
    for line, row in _read(text, ("doc_number", "status", "start"), report):
        try:
            row = _readable(row)
            kind = (row.get("doc_kind") or "resident_id").strip()
            if kind not in DOCUMENT_KINDS:
                raise RowError("unknown_doc_kind", value=kind[:20])
            number = (row.get("doc_number") or "").strip()
            try:
                number = (
                    validate_resident_id(number, today).number
                    if kind == "resident_id"
                    else validate_other_document(kind, number)
                )
            except InvalidIdNumber:
                raise RowError("bad_doc_number") from None
            status = STATUS_WORDS.get((row.get("status") or "").strip().lower())
            if status is None:
                raise RowError("bad_status")
            start, end = _period(row)
        except RowError as error:
            rejected.append((line, error.code, error.params))
            continue
        accepted.append(
            {"doc_kind": kind, "doc_hash": hash_document(kind, number), "status": status, "start": start, "end": end}
        )
    return report


def import_control_list(text: str, source: str, apply_partial: bool = False) -> ImportReport:
    """Check the rows; apply them in one transaction (unless some are bad) and recolour the people listed."""
    report = check_control_rows(text)
    if report.rejected and not apply_partial or not report.accepted:
        return report
    now = clock.now_utc()
    db.session.execute(insert(ControlEntry), [{**row, "created_at": now, "source": source} for row in report.accepted])
    report.recoloured = recolour(_holder_ids(report.accepted), trigger="import:control").changed
    db.session.commit()
    report.applied = True
    return report


# --- console uploads: preview first, apply later with progress --------------------------------


def _holders(documents: list[dict]):
    """Queries for the registered people holding these documents: per kind and chunk, so that SQLite
    uses the (doc_kind, doc_hash) index (a row-value IN would scan every resident)."""
    by_kind: dict[str, list[str]] = {}
    for document in documents:
        by_kind.setdefault(document["doc_kind"], []).append(document["doc_hash"])
    for kind, hashes in by_kind.items():
        for start in range(0, len(hashes), 900):
            yield User.doc_kind == kind, User.doc_hash.in_(hashes[start : start + 900])


def _registered(documents: list[dict]) -> int:
    """How many registered people the rows name."""
    return sum(
        db.session.scalar(select(db.func.count()).select_from(User).where(*match)) for match in _holders(documents)
    )


def _holder_ids(documents: list[dict]) -> list[int]:
    """The ids of the registered people the rows name."""
    return [user_id for match in _holders(documents) for user_id in db.session.scalars(select(User.id).where(*match))]


def preview_upload(filename: str, text: str, actor_id: int) -> ControlUpload:
    """Check an uploaded file and keep it with its findings; nothing reaches the control list yet."""
    report = check_control_rows(text)
    upload = ControlUpload(
        uploaded_by_id=actor_id,
        uploaded_at=clock.now_utc(),
        filename=filename[:200],
        content=text,
        rows=report.rows,
        valid_rows=len(report.accepted),
        rejected_rows=len(report.rejected),
        rejected=[list(r) for r in report.rejected[:PREVIEW_REJECTED]],
        matched_people=_registered(report.accepted),
        status="previewed",
    )
    db.session.add(upload)
    db.session.flush()
    audit.record(
        actor_id,
        "control_upload",
        None,
        upload.filename,
        upload_id=upload.id,
        rows=upload.rows,
        valid=upload.valid_rows,
        rejected=upload.rejected_rows,
    )
    db.session.commit()
    return upload


@dataclass(frozen=True)
class Progress:
    """One step of applying an upload: a stage, how far it got, and the totals at the end."""

    stage: str  # checking | writing | recolouring | done
    done: int
    total: int
    recoloured: Recoloured | None = None


def get_upload(upload_id: int) -> ControlUpload | None:
    """One upload, for its page."""
    return db.session.get(ControlUpload, upload_id)


def recent_uploads(limit: int = 20) -> list[ControlUpload]:
    """The latest uploads, newest first."""
    return db.session.scalars(select(ControlUpload).order_by(ControlUpload.id.desc()).limit(limit)).all()


def apply_upload(upload_id: int, actor_id: int) -> Iterator[Progress]:
    """Apply a previewed upload's valid rows in one transaction; the steps report progress as they go.

    Refused at once (RowError "not_applicable") when the upload was applied or discarded or has no valid row.
    The rows are checked again (the file is the one previewed), written in chunks, and the people they
    name are recoloured; the commit comes only after the last step, so stopping half-way leaves no trace
    (a step that fails rolls the session back before the error reaches the caller).
    """
    upload = db.session.get(ControlUpload, upload_id)
    if upload is None or upload.status != "previewed" or not upload.valid_rows:
        raise RowError("not_applicable")
    return _apply(upload.id, actor_id)


def _apply(upload_id: int, actor_id: int) -> Iterator[Progress]:
    try:
        yield from _apply_steps(upload_id, actor_id)
    except Exception:
        db.session.rollback()  # a step failed: nothing of the upload is kept, and the session is usable again
        raise


def _apply_steps(upload_id: int, actor_id: int) -> Iterator[Progress]:
    upload = db.session.get(ControlUpload, upload_id)  # read again: the steps may run after the request returned
    yield Progress("checking", 0, upload.rows)
    report = check_control_rows(upload.content)
    rows = report.accepted
    yield Progress("checking", upload.rows, upload.rows)
    now = clock.now_utc()
    source = f"console:{upload.id}"
    for start in range(0, len(rows), APPLY_CHUNK):
        db.session.execute(
            insert(ControlEntry),
            [
                {**row, "created_at": now, "source": source, "upload_id": upload.id}
                for row in rows[start : start + APPLY_CHUNK]
            ],
        )
        yield Progress("writing", min(start + APPLY_CHUNK, len(rows)), len(rows))
    people = db.session.scalars(
        select(User.id)
        .join(ControlEntry, and_(ControlEntry.doc_kind == User.doc_kind, ControlEntry.doc_hash == User.doc_hash))
        .where(ControlEntry.upload_id == upload.id)
        .distinct()
    ).all()
    total = Recoloured()
    yield Progress("recolouring", 0, len(people))
    for start in range(0, len(people), APPLY_CHUNK):
        total.add(
            recolour(people[start : start + APPLY_CHUNK], trigger=f"control_upload:{upload.id}", actor_id=actor_id)
        )
        yield Progress("recolouring", min(start + APPLY_CHUNK, len(people)), len(people))
    upload.status, upload.applied_by_id, upload.applied_at = "applied", actor_id, clock.now_utc()
    upload.recoloured, upload.worsened = total.changed, total.worsened
    audit.record(
        actor_id,
        "control_import",
        None,
        upload.filename,
        upload_id=upload.id,
        rows=len(rows),
        recoloured=total.changed,
        worsened=total.worsened,
    )
    db.session.commit()
    yield Progress("done", len(rows), len(rows), total)


def discard_upload(upload_id: int, actor_id: int) -> None:
    """Drop a previewed upload; RowError "not_applicable" when it was already applied or dropped."""
    upload = db.session.get(ControlUpload, upload_id)
    if upload is None or upload.status != "previewed":
        raise RowError("not_applicable")
    upload.status, upload.content = "discarded", ""
    audit.record(actor_id, "control_upload_discarded", None, upload.filename, upload_id=upload.id)
    db.session.commit()
