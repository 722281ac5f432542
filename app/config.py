"""Defaults for every setting; secrets and local overrides live in instance/config.py."""


class Defaults:
    """Settings a fresh checkout runs with (development on SQLite)."""

    SECRET_KEY = None  # set in instance/config.py (created on first run) or ONECODE_SECRET_KEY
    ENV_NAME = "development"  # development | production | testing
    SQLALCHEMY_DATABASE_URI = None  # default: sqlite file in instance/
    SQLALCHEMY_ENGINE_OPTIONS = {}
    SQLITE_CHECKPOINT_SECONDS = 1.0  # WAL checkpoints run in a thread this long after a commit; 0: in the commit
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    TIMEZONE = "Asia/Shanghai"
    WTF_CSRF_TIME_LIMIT = 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    MAX_CONTENT_LENGTH = 1024 * 1024  # a full batch of 500 scans is about 350 KB

    # Sign-in by SMS code
    OTP_TTL_SECONDS = 300
    OTP_MAX_ATTEMPTS = 5
    OTP_SEND_LIMIT_PHONE = "1 per minute;5 per hour"
    OTP_SEND_LIMIT_IP = "20 per hour"
    OTP_VERIFY_LIMIT_IP = "30 per hour"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    # SMS backend: "outbox" (development: stored and shown at /dev/outbox) or "http"
    SMS_BACKEND = "outbox"
    SMS_GATEWAY_URL = None
    SMS_GATEWAY_TOKEN = None
    SMS_GATEWAY_TIMEOUT = 5

    # Health codes (docs/contracts.md: the health code)
    CODE_ISSUER = "onecode-dev"
    CODE_PAPER_DAYS = 7
    KEYS_DIR = None  # default: instance/keys
    TRUSTED_ISSUERS = []  # other regions: [{"iss": "...", "keys": [JWK, ...]}], accepted at our gates
    TRUST_BUNDLE_HOURS = 72  # how long a scanner may rely on one bundle before results are "unverified"
    TRAIL_DAYS = 14
    TRAIL_WINDOW_MINUTES = 30  # a warden may open a trail only this soon after their own scan
    ENROL_LINK_HOURS = 72
    MAX_RELATIVES_PER_GUARDIAN = 5
    MAX_GUARDIANS_PER_DEPENDANT = 2
    CHILD_AGE = 14  # younger relatives are bound by the guardian's declaration alone
    RULES_FILE = None  # default: the shipped rule set
    FACTS_WINDOW_DAYS = 28
    RETENTION_DAYS = 28
    APPEAL_DUE_HOURS = 48  # reviewers answer an appeal within this time; later ones are shown as overdue
    OVERRIDE_MAX_DAYS = 28  # a manual colour lasts at most this long; then the rules apply again
    CONTROL_UPLOAD_MAX_BYTES = 16 * 1024 * 1024  # a control-list file of 100,000 rows is about 5 MB

    # Reports (epidemic clues and supervision reports routed to district handlers)
    REPORT_DUE_HOURS = 24  # a report not closed this long after filing is overdue
    REPORT_LINK_HOURS = 72  # how long the link in a handler's text message works

    # Clinics and pharmacies
    CARE_TICKET_HOURS = 24  # records queued on a staff device after identifying a person must arrive this soon
    MEDICAL_CARD_SECONDS = 120  # a 就医码 on a phone resolves this long; the page fetches the next one before
    MEDICAL_CARD_PRINTED_DAYS = 365  # a printed 就医卡 (with a one-time SMS code); reprinting revokes the last one
    DESK_TICKET_HOURS = 4  # a person's page at a green-channel desk stays open this long after the lookup

    # Enterprises
    ENTERPRISE_JOIN_LINK_DAYS = 30  # an enterprise's join link and printed QR; renewing them withdraws the old ones

    # Public information (/info, /api/info): the hotlines shown to everyone
    INFO_HOTLINES = [
        {
            "number": "12345",
            "zh": "政务服务便民热线（疫情防控咨询）",
            "en": "Government service hotline (epidemic questions)",
        }
    ]

    # Check-ins submitted from the device's offline queue
    CHECKIN_MAX_AGE_DAYS = 7
    BATCH_MAX_RECORDS = 500

    # Residents coming home (返琼登记) and account management
    HOME_REGION = "460000"  # the province this server serves: returnees come to its counties from elsewhere;
    # its places are listed in every place field (the place picker finds the rest of the country)
    RETURN_LINK_HOURS = 14 * 24  # how long the link in an invitation text message works
    RETURN_PLAN_MAX_DAYS = 90  # a planned return lies between today and this many days ahead
    RETURN_UPLOAD_MAX_BYTES = 8 * 1024 * 1024  # 100,000 phone numbers with names are about 2.5 MB
    RETURN_SEND_BATCH = 1000  # invitations texted, recorded and committed together
    RETURN_SEND_STALE_SECONDS = 120  # a sending run silent this long has stopped: it may be resumed
    BACKGROUND_JOBS = "thread"  # long work after a request: "thread", or "inline" (in the request)
    AUDIT_RETENTION_YEARS = 3  # the audit log is kept this long (shown before an account is deleted)
