"""The one place that reads the wall clock; everything else asks here (tests replace `now_utc`)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def now_utc() -> datetime:
    """Current time as naive UTC (how the database stores it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def zone() -> ZoneInfo:
    """The region's time zone."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    """A naive UTC moment in the region's time zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone())


def local_today() -> date:
    """Today's date in the region."""
    return to_local(now_utc()).date()


def local_midnight_utc(day: date) -> datetime:
    """The start of a local day, as naive UTC."""
    return datetime.combine(day, time.min, tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def end_of_next_day_utc(moment: datetime) -> datetime:
    """Midnight after tomorrow (local) for a naive UTC moment: a code issued today lasts through tomorrow."""
    return local_midnight_utc(to_local(moment).date() + timedelta(days=2))


def epoch(moment: datetime) -> int:
    """NumericDate of a naive UTC moment."""
    return int(moment.replace(tzinfo=UTC).timestamp())
