"""The authority's lists of people planning to return: a CSV of phone numbers (and names), checked row by row
and kept with its invitations in one transaction (the preview); discarding one drops its phone numbers."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select

from app.domain.returning import NAME, mobile_number
from app.extensions import db
from app.infra import audit, clock
from app.models import ReturnInvitation, ReturnUpload
from app.services.returning import ReturnError

PHONE_COLUMNS = ("phone", "mobile", "手机号", "手机号码", "手机", "电话", "联系电话")
NAME_COLUMNS = ("name", "姓名", "名字")
NAME_MAX = 30
PREVIEW_REJECTED = 200  # rejected rows kept for the preview; the count covers all of them
PREVIEW_ROWS = 10  # valid rows shown (masked) so the admin sees the columns were read right
INSERT_CHUNK = 5000
LOOKUP_CHUNK = 900  # numbers per IN (...) when looking for earlier invitations (SQLite's variable limit)


@dataclass
class ListCheck:
    """What a file holds: rows after the header, accepted {line, phone, name}, rejected (line, code, params)."""

    rows: int = 0
    accepted: list = field(default_factory=list)
    rejected: list = field(default_factory=list)


def decode(data: bytes) -> str:
    """The file's text, as spreadsheet programs save it (UTF-8 with or without BOM, or GBK); ReturnError
    "bad_file" for anything else (binary, NUL characters)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
        break
    raise ReturnError("bad_file", "file")


def _cells(text: str) -> Iterator[tuple[int, list[str] | None]]:
    """(line, cells) for each non-empty row; cells None for a row with a field over the csv module's limit."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield reader.line_num, None
            continue
        if any(cell.strip() for cell in cells):
            yield reader.line_num, cells


def _columns(first: list[str]) -> tuple[int, int | None, bool] | None:
    """(phone column, name column, first row is a header), or None when the first row is neither."""
    names = [cell.strip().lower() for cell in first]
    phone = next((i for i, name in enumerate(names) if name in PHONE_COLUMNS), None)
    if phone is not None:
        return phone, next((i for i, name in enumerate(names) if name in NAME_COLUMNS), None), True
    if mobile_number(first[0]) is not None:
        return 0, 1 if len(first) > 1 else None, False
    return None


def check_rows(text: str) -> ListCheck:
    """Each row checked: a mobile number (as lists write them), once in the file, an optional short name."""
    check = ListCheck()
    rows = _cells(text)
    first = next(rows, None)
    columns = _columns(first[1]) if first and first[1] else None
    if columns is None:
        check.rejected.append((first[0] if first else 1, "missing_columns", {}))
        return check
    phone_at, name_at, header = columns
    seen: dict[str, int] = {}
    for line, cells in rows if header else [first, *rows]:
        check.rows += 1
        code, params = None, {}
        if cells is None:
            code, params = "field_too_long", {"limit": csv.field_size_limit()}
        else:
            raw = cells[phone_at].strip() if phone_at < len(cells) else ""
            name = " ".join(cells[name_at].split()) if name_at is not None and name_at < len(cells) else ""
            phone = mobile_number(raw) if len(raw) <= 20 else None
            if not raw:
                code = "no_phone"
            elif phone is None:
                code, params = "bad_phone", {"value": raw[:20]}
            elif phone in seen:
                code, params = "duplicate", {"line": seen[phone]}
            elif len(name) > NAME_MAX:
                code, params = "name_too_long", {"limit": NAME_MAX}
            elif name and not NAME.fullmatch(name):
                code = "bad_name"
        if code is None:
            seen[phone] = line
            check.accepted.append({"line": line, "phone": phone, "name": name or None})
        else:
            check.rejected.append((line, code, params))
    return check


def _earlier_invitations(phones: list[str]) -> dict[str, int]:
    """{phone: the first list inviting it} among these phones. While the lists hold fewer invitations than the
    file has rows, reading them all in one query is cheaper than looking each number up."""
    first_list = select(ReturnInvitation.phone, func.min(ReturnInvitation.upload_id)).group_by(ReturnInvitation.phone)
    if db.session.scalar(select(func.count()).select_from(ReturnInvitation)) <= len(phones):
        wanted = set(phones)
        return {phone: upload for phone, upload in db.session.execute(first_list) if phone in wanted}
    earlier: dict[str, int] = {}
    for start in range(0, len(phones), LOOKUP_CHUNK):
        chunk = phones[start : start + LOOKUP_CHUNK]
        earlier.update(db.session.execute(first_list.where(ReturnInvitation.phone.in_(chunk))).all())
    return earlier


def _drop_earlier_invitations(check: ListCheck) -> None:
    """Reject the numbers an earlier list (not discarded) already invites: nobody is texted twice."""
    earlier = _earlier_invitations([row["phone"] for row in check.accepted])
    if not earlier:
        return
    kept = []
    for row in check.accepted:
        if row["phone"] in earlier:
            check.rejected.append((row["line"], "already_invited", {"upload": earlier[row["phone"]]}))
        else:
            kept.append(row)
    check.accepted = kept
    check.rejected.sort(key=lambda rejection: rejection[0])


def preview_upload(filename: str, data: bytes, actor_id: int) -> ReturnUpload:
    """Check an uploaded list and keep it with its invitations, waiting for an admin to send them (nothing is
    texted yet); one transaction. ReturnError "bad_file" when the file is not text."""
    check = check_rows(decode(data))
    _drop_earlier_invitations(check)
    upload = ReturnUpload(
        uploaded_by_id=actor_id,
        uploaded_at=clock.now_utc(),
        filename=(filename or "list.csv")[:200],
        rows=check.rows,
        valid_rows=len(check.accepted),
        rejected_rows=len(check.rejected),
        rejected=[list(rejection) for rejection in check.rejected[:PREVIEW_REJECTED]],
        status="previewed",
    )
    db.session.add(upload)
    db.session.flush()
    table = ReturnInvitation.__table__  # a Core executemany: the ORM's bulk insert costs more than the rows
    for start in range(0, len(check.accepted), INSERT_CHUNK):
        db.session.execute(
            insert(table),
            [
                {**row, "upload_id": upload.id, "status": "waiting"}
                for row in check.accepted[start : start + INSERT_CHUNK]
            ],
        )
    audit.record(
        actor_id,
        "return_upload",
        None,
        upload.filename,
        upload_id=upload.id,
        rows=upload.rows,
        valid=upload.valid_rows,
        rejected=upload.rejected_rows,
    )
    db.session.commit()
    return upload


def get_upload(upload_id: int) -> ReturnUpload:
    """One list (ReturnError "upload_not_found")."""
    upload = db.session.get(ReturnUpload, upload_id)
    if upload is None:
        raise ReturnError("upload_not_found")
    return upload


def first_rows(upload_id: int) -> list[ReturnInvitation]:
    """The first valid rows of a list, for its preview."""
    return db.session.scalars(
        select(ReturnInvitation)
        .where(ReturnInvitation.upload_id == upload_id)
        .order_by(ReturnInvitation.id)
        .limit(PREVIEW_ROWS)
    ).all()


def recent_uploads(limit: int = 20) -> list[ReturnUpload]:
    """The latest lists, newest first."""
    return db.session.scalars(select(ReturnUpload).order_by(ReturnUpload.id.desc()).limit(limit)).all()


def discard_upload(upload_id: int, actor_id: int) -> None:
    """Drop a list that was not sent, with its phone numbers (ReturnError "not_discardable" otherwise)."""
    upload = get_upload(upload_id)
    if upload.status != "previewed":
        raise ReturnError("not_discardable")
    db.session.execute(delete(ReturnInvitation).where(ReturnInvitation.upload_id == upload.id))
    upload.status = "discarded"
    audit.record(actor_id, "return_upload_discarded", None, upload.filename, upload_id=upload.id)
    db.session.commit()
