"""Language choice: ?lang= (the switcher links) sets a cookie; otherwise Accept-Language; default Chinese."""

from functools import lru_cache

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from app.domain import districts
from app.domain.masking import mask_name, mask_phone
from app.domain.vocabulary import BODY_TEMPERATURE_C, COLOURS, NOT_GREEN
from app.infra import clock
from app.services.checkins import TEMPERATURE_MESSAGE

COOKIE = "lang"


def current_language() -> str:
    """'zh' or 'en' for this request."""
    config = current_app.config
    chosen = _query_value("lang") or _cookie_value(COOKIE)
    if chosen in config["LANGUAGES"]:
        return chosen
    return _best_match(
        request.headers.get("Accept-Language", ""), tuple(config["LANGUAGES"]), config["BABEL_DEFAULT_LOCALE"]
    )


def _query_value(name: str) -> str | None:
    """request.args.get(name), without the exception a MultiDict raises and catches inside when the name
    is missing (the usual case, on every request)."""
    args = request.args
    return args.get(name) if name in args else None


def _cookie_value(name: str) -> str | None:
    """request.cookies.get(name), likewise."""
    cookies = request.cookies
    return cookies.get(name) if name in cookies else None


@lru_cache(maxsize=256)
def _best_match(accept_language: str, languages: tuple[str, ...], default: str) -> str:
    """The best of `languages` for an Accept-Language header (remembered: browsers send a handful)."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages) or default


def lang() -> str:
    """The language of the current response, for domain texts keyed by language."""
    return str(get_locale().language)


def register(app):
    """Keep a ?lang= choice as the cookie; expose the language and display filters to templates."""

    @app.after_request
    def remember_query_language(response):
        chosen = _query_value("lang")
        if chosen in app.config["LANGUAGES"] and _cookie_value(COOKIE) != chosen:
            response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    @app.context_processor
    def language_context():
        return {"lang": lang()}

    app.jinja_env.globals.update(
        BODY_TEMPERATURE_C=BODY_TEMPERATURE_C,
        TEMPERATURE_MESSAGE=TEMPERATURE_MESSAGE,
        COLOURS=COLOURS,
        NOT_GREEN=NOT_GREEN,
    )

    app.add_template_filter(mask_phone, "mask_phone")
    app.add_template_filter(mask_name, "mask_name")
    app.add_template_filter(lambda code: districts.name_of(code, lang()), "district_name")
    app.add_template_global(colour_word, "colour_word")
    app.add_template_global(verdict_word, "verdict_word")
    from app.web.places import local_choices, picker_attributes  # here: places.py imports lang() from this module

    app.add_template_global(picker_attributes, "place_picker")
    app.add_template_global(local_choices, "place_choices")

    @app.template_filter("local_time")
    def local_time(moment):
        return clock.to_local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


# In the order of COLOURS (green, yellow, red).
COLOUR_WORDS = dict(zip(COLOURS, ("绿码", "黄码", "红码"), strict=True))
COLOUR_ENGLISH = dict(zip(COLOURS, (_l("Green code"), _l("Yellow code"), _l("Red code")), strict=True))


def colour_word(colour: str | None) -> str:
    """绿码/黄码/红码 always, with the English words added in English (colour is never the only signal)."""
    if colour not in COLOUR_WORDS:
        return _("No code")
    return COLOUR_WORDS[colour] if lang() == "zh" else f"{COLOUR_WORDS[colour]} {COLOUR_ENGLISH[colour]}"


def verdict_word(result: str) -> str:
    """通行 / 禁止通行 / 未核验 (and, under a checkpoint policy, 分流引导 / 无需查验) in the user's language."""
    words = {"pass": _("Pass"), "deny": _("No entry"), "channel": _("Send to a channel"), "unchecked": _("Not checked")}
    return words.get(result, _("Unverified"))
