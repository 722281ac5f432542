"""Database models, one module per aggregate, named after it; imported here so migrations see them all."""

from app.models.appeal import Appeal
from app.models.audit import AuditEntry
from app.models.binding import Binding
from app.models.checkin import Checkin, Visit
from app.models.checkpoint import Checkpoint
from app.models.checkpoint_policy import CheckpointPolicy
from app.models.clinic import FeverVisit, Observation, ObservationEntry
from app.models.code import CodeRevocation, IssuedCode
from app.models.colour_tally import ColourTally
from app.models.control_list import ControlEntry, ControlUpload
from app.models.enterprise import Enterprise, EnterpriseDecision, EnterpriseEmployee, SurveyAnswer, SurveyProblem
from app.models.institution import Institution
from app.models.medical import MedicalCard, MedicalVisit
from app.models.override import Override
from app.models.pharmacy import DrugSale, DrugSaleItem
from app.models.report import Report, ReportUpdate
from app.models.returning import ReturnInvitation, ReturnRegistration, ReturnUpload
from app.models.risk_area import RiskArea
from app.models.scan import Scan
from app.models.sign_in import SignIn
from app.models.sms import SmsCode, SmsMessage
from app.models.staff import StaffInvite
from app.models.user import User
from app.models.verdict import Verdict

__all__ = [
    "Appeal",
    "AuditEntry",
    "Binding",
    "Checkin",
    "Checkpoint",
    "CheckpointPolicy",
    "CodeRevocation",
    "ColourTally",
    "ControlEntry",
    "ControlUpload",
    "DrugSale",
    "DrugSaleItem",
    "Enterprise",
    "EnterpriseDecision",
    "EnterpriseEmployee",
    "FeverVisit",
    "Institution",
    "IssuedCode",
    "MedicalCard",
    "MedicalVisit",
    "Observation",
    "ObservationEntry",
    "Override",
    "Report",
    "ReportUpdate",
    "ReturnInvitation",
    "ReturnRegistration",
    "ReturnUpload",
    "RiskArea",
    "Scan",
    "SignIn",
    "SmsCode",
    "SmsMessage",
    "StaffInvite",
    "SurveyAnswer",
    "SurveyProblem",
    "User",
    "Verdict",
    "Visit",
]
