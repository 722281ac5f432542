"""Revoking signed codes before they expire: appended to code_revocations, listed by the next trust bundle."""
from datetime import datetime

from sqlalchemy import DateTime, String, exists, insert, literal, select

from app.models import CodeRevocation, IssuedCode

_codes, _revocations = IssuedCode.__table__, CodeRevocation.__table__


def revoke_codes(executor, where: list, reason: str, now: datetime) -> None:
    """Revoke the codes matching `where` (conditions on issued_codes) that are still valid and not yet
    revoked, in one statement on `executor` (a session or a connection; the caller commits)."""
    chosen = (select(_codes.c.jti, _codes.c.expires_at, literal(now, DateTime()), literal(reason, String()))
              .where(*where, _codes.c.expires_at > now, ~exists().where(_revocations.c.jti == _codes.c.jti)))
    executor.execute(insert(_revocations).from_select(["jti", "expires_at", "revoked_at", "reason"], chosen))
