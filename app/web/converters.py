"""Ids in URLs: the `<id:...>` path converter every route uses and `query_id` for ids in query strings.

Both take only what can name a row (1..2**31-1, app.infra.outbox.parse_id): anything else is a 404 before
the view runs, never a number the database cannot hold."""

from flask import abort, request
from werkzeug.routing import BaseConverter, ValidationError

from app.infra.outbox import parse_id


class IdConverter(BaseConverter):
    """A row id in a path: digits naming a possible row, else the route does not match (404)."""

    regex = r"\d+"
    weight = 50  # as Werkzeug's int converter: more specific than text

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def query_id(name: str) -> int | None:
    """The id in query parameter `name`: None when it is absent or empty, 404 when it cannot name a row."""
    value = request.args.get(name) if name in request.args else None
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        abort(404)
    return number


def register(app) -> None:
    """Make `<id:...>` available to the routes (before the blueprints are registered)."""
    app.url_map.converters["id"] = IdConverter
