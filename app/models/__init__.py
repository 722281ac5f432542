"""Database models, one module per aggregate; imported here so migrations see them all."""
from app.models.binding import Binding
from app.models.checkin import Checkin, Visit
from app.models.checkpoint import AuditEntry, Checkpoint, Scan
from app.models.code import IssuedCode
from app.models.control import ControlEntry, Override, RiskArea
from app.models.sms import SmsCode, SmsMessage
from app.models.user import User
from app.models.verdict import Verdict

__all__ = ["AuditEntry", "Binding", "Checkin", "Checkpoint", "Scan", "ControlEntry", "IssuedCode", "Override", "RiskArea", "SmsCode",
           "SmsMessage", "User", "Verdict", "Visit"]
