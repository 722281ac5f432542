"""District conditions in SQL, for any table with a county code column."""

from sqlalchemy import and_

from app.domain import districts


def district_in_area(column, area: str):
    """SQL: a county code column lies in `area` (a county, or a city or province covering its counties).

    The same as `LIKE 'prefix%'`, written as a range so that an index on the column is used."""
    prefix = districts.prefix_of(area)
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
