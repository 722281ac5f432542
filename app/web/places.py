"""Place fields: a 6-digit GB/T 2260 code chosen from the whole country.

The page lists only the local area's places (HOME_REGION) and the one already chosen in its <select>, so it
stays small and works without JavaScript; place-picker.js adds search by name and a province → city →
county list of the whole country, loaded once from /static/data/places.<lang>.json (precached by the
service worker, so it works offline). What is posted is the same code either way, checked against the
full list here and in the services.
"""

import json

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import Choice
from wtforms.validators import ValidationError

from app.domain import districts
from app.web.i18n import lang


def _strings() -> dict[str, str]:
    return {
        "open": _("Another place in China…"),
        "title": _("Choose a place"),
        "search": _("Search by name"),
        "search_hint": _("For example Xihu or Hangzhou"),
        "country": _("China"),
        "whole": _("All of %(name)s", name="{name}"),
        "close": _("Close"),
        "none": _("No place is called “%(query)s”. Try fewer characters.", query="{query}"),
        "many": _("The first %(count)s places are shown. Type more of the name to find yours.", count="{count}"),
        "found": _("%(count)s places found.", count="{count}"),
        "loading": _("Loading the list of places…"),
        "failed": _("The list of places could not be loaded. Please check the connection and try again."),
    }


def picker_attributes(kind: str = "district") -> dict[str, str]:
    """The attributes that make a <select> a place picker: `district` (a place with nothing under it: where
    someone is or was) or `area` (any province, city or district: what a risk area or a scope covers)."""
    return {
        "data-place-picker": kind,
        "data-places": url_for("static", filename=f"data/places.{lang()}.json"),
        "data-place-strings": json.dumps(_strings(), ensure_ascii=False),
    }


def local_choices(kind: str = "district", selected: str = "") -> list[tuple[str, str]]:
    """The local area's places for a place <select>, and `selected` if it lies elsewhere."""
    return districts.local_choices(
        lang(), current_app.config["HOME_REGION"], areas=kind == "area", selected=selected or ""
    )


class PlaceField(SelectField):
    """A district (or, with kind='area', any place) by its code; validated against the whole country."""

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        kind="district",
        placeholder=None,
        message=None,
        local=True,
        check=True,
        **kwargs,
    ):
        """`local=False`: list no place but the chosen one (a field for places outside the region);
        `check=False`: the service checks the code (and says why it refuses it)."""
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.kind, self.local, self.check = kind, local, check
        self.placeholder = placeholder or _l("Choose…")
        self.unknown_message = message or (
            _l("Please choose a district from the list.") if kind == "district" else _l("Please choose an area.")
        )

    def iter_choices(self):
        chosen = self.data if isinstance(self.data, str) else ""
        listed = local_choices(self.kind, chosen) if self.local else []
        if not self.local and districts.is_area(chosen):
            listed = [(chosen, districts.name_of(chosen, lang()))]
        options = [("", str(self.placeholder)), *listed]
        return [Choice(value=code, label=name, selected=code == chosen, render_kw=None) for code, name in options]

    def has_groups(self):
        return False

    def pre_validate(self, form):
        if self.process_errors or not self.data or not self.check:
            return  # an empty answer is for InputRequired / Optional to judge
        known = districts.is_known if self.kind == "district" else districts.is_area
        if not known(self.data):
            raise ValidationError(str(self.unknown_message))

    def __call__(self, **kwargs):
        return super().__call__(**{**picker_attributes(self.kind), **kwargs})
