"""Time zones and calendars: when "midnight" happens for whom, and which calendar a market reads.

- :func:`launch_times`: one instant (a launch at a local time in one zone) as the wall-clock time,
  date and day offset in other zones (``zoneinfo``, the IANA database), written for each zone's
  locale with Babel.
- :func:`preferred_calendars`: the calendars CLDR lists for a territory, most preferred first
  (Thailand: Buddhist, then Gregorian; Iran: Persian first; Saudi Arabia: Gregorian, then Islamic).
- :func:`buddhist_era_year`: the Thai solar calendar's year for a Gregorian date (year + 543).

Babel formats dates in the Gregorian calendar only; a market whose first calendar is another
one (``preferred_calendars``) needs ICU or a calendar library for its dates.
"""

from __future__ import annotations

import datetime as _dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pandas as pd

from .formatting import parse_locale

#: Zones and the locale each is written in, for the launch table of lecture 08.
LAUNCH_ZONES: dict[str, str] = {
    "Asia/Shanghai": "zh_CN",
    "Asia/Taipei": "zh_Hant_TW",
    "Asia/Kolkata": "en_IN",
    "Europe/Berlin": "de_DE",
    "America/New_York": "en_US",
    "America/Los_Angeles": "en_US",
}

BUDDHIST_ERA_OFFSET = 543


class TimeZoneError(ValueError):
    """Not an IANA time zone name."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``"Asia/Shanghai"``); an error lists close names for a typo."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        import difflib

        close = difflib.get_close_matches(str(name), sorted(available_timezones()), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise TimeZoneError(f"{name!r} is not an IANA time zone such as 'Asia/Shanghai'.{hint}") from None


def launch_times(local: str | _dt.datetime, in_zone: str, zones: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A moment given as local wall-clock time in ``in_zone`` (``"2025-01-19 00:00"``), seen in ``zones``.

    ``zones`` maps IANA zone -> locale (default :data:`LAUNCH_ZONES`). Columns: ``zone, utc_offset,
    local_time`` (ISO, for tests), ``as_written`` (Babel, in the zone's locale), ``day`` (the day
    relative to the launch zone's date: "same day", "day before", "day after").
    """
    start = _dt.datetime.fromisoformat(local) if isinstance(local, str) else local
    if start.tzinfo is not None:
        raise ValueError("give the launch as a naive local time (no offset); in_zone says where it is local")
    moment = start.replace(tzinfo=zone(in_zone))
    from babel.dates import format_datetime

    rows = []
    for name, locale in (zones or LAUNCH_ZONES).items():
        here = moment.astimezone(zone(name))
        delta = (here.date() - moment.date()).days
        day = {0: "same day", -1: "day before", 1: "day after"}.get(delta, f"{delta:+d} days")
        minutes = int((here.utcoffset() or _dt.timedelta(0)).total_seconds()) // 60
        sign, (hours, mins) = ("+" if minutes >= 0 else "-"), divmod(abs(minutes), 60)
        rows.append(
            {
                "zone": name,
                "utc_offset": f"UTC{sign}{hours:02d}:{mins:02d}",
                "local_time": here.strftime("%Y-%m-%d %H:%M"),
                "as_written": format_datetime(here, "EEEE HH:mm", tzinfo=zone(name), locale=parse_locale(locale)),
                "day": day,
            }
        )
    return pd.DataFrame(rows)


@cache
def _calendar_preferences() -> dict[str, tuple[str, ...]]:
    import language_data

    path = Path(language_data.__file__).parent / "data" / "supplementalData.xml"
    root = ET.parse(path).getroot()
    out: dict[str, tuple[str, ...]] = {}
    for pref in root.iter("calendarPreference"):
        for territory in pref.get("territories", "").split():
            out[territory] = tuple(pref.get("ordering", "").split())
    return out


def preferred_calendars(territory: str) -> list[str]:
    """The calendars CLDR lists for ``territory``, most preferred first (the world default if none)."""
    prefs = _calendar_preferences()
    code = str(territory).strip().upper()
    return list(prefs.get(code, prefs.get("001", ("gregorian",))))


def calendar_table(territories: Mapping[str, str]) -> pd.DataFrame:
    """One row per territory (label -> code): CLDR's preferred calendars and the first of them."""
    rows = []
    for label, code in territories.items():
        calendars = preferred_calendars(code)
        rows.append({"territory": label, "first_calendar": calendars[0], "calendars_cldr_lists": ", ".join(calendars)})
    return pd.DataFrame(rows)


def buddhist_era_year(day: _dt.date) -> int:
    """The year of the Thai solar calendar (Buddhist era) for a Gregorian date: 2025 -> 2568."""
    return day.year + BUDDHIST_ERA_OFFSET
