"""The words for checkpoint policies, in the current language (the public page, /api/info and the
authority's policy page share them), and `both`: an interface text in every language."""

from collections.abc import Callable

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.colours import LANGUAGES
from app.domain.policies import STATUSES
from app.web.i18n import colour_word
from app.web.warden.forms import CHECKPOINT_KIND_LABELS

STATUS_LABELS = {
    "unverified": _l("Unverified"),
    "no_code": _l("No valid code"),
}
ACTION_LABELS = {
    "pass": _l("Pass"),
    "note": _l("Pass with a note"),
    "channel": _l("Send to a channel"),
    "deny": _l("No entry"),
    "check": _l("Check by hand (the warden decides)"),
}


def status_label(status: str) -> str:
    """绿码/黄码/红码 (with English words in English), unverified, no valid code."""
    return colour_word(status) if status in ("green", "yellow", "red") else str(STATUS_LABELS[status])


def kind_label(kind: str | None) -> str:
    return str(CHECKPOINT_KIND_LABELS.get(kind, kind)) if kind else _("All checkpoints")


def step_words(step: dict) -> str:
    """One status's action in words: "send to 发热门诊", "pass with the note “…”", "no entry"…"""
    action, text = step["action"], step.get("text") or ""
    if action == "channel":
        return _("send to %(to)s", to=text or _("the green channel"))
    if action == "note":
        return _("pass with the note “%(text)s”", text=text) if text else _("pass with a note")
    return {"pass": _("pass"), "deny": _("no entry"), "check": _("check by hand")}[action]


def policy_words(policy: dict) -> str:
    """A policy in one line, in the current language."""
    if not policy["checking"]:
        return _("Health codes are not checked (an area marked low-risk).")
    return "; ".join(f"{status_label(status)}: {step_words(policy['steps'][status])}" for status in STATUSES)


def both(render: Callable[[], str]) -> dict[str, str]:
    """A text of the interface in every language the service speaks."""
    found = {}
    for language in LANGUAGES:
        with force_locale(language):
            found[language] = str(render())
    return found
