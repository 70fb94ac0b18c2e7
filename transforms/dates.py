"""Publication dates from the strings feeds and pages actually carry, as tz-aware UTC.

A wrong date is worse than none: it misplaces a story on every timeline. So a value is
accepted only when its year, month and day were all read from the text (never filled in from
"today"), time zone abbreviations are read with a fixed table (never the machine's zone),
and implausible or future dates come back as None with a flag saying why.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as _dateutil

# Flags, stored in RawArticle.flags / articles.flags.
DATE_MISSING = "date_missing"  # the item carries no date at all
DATE_UNPARSED = "date_unparsed"  # a date string we could not read with certainty
DATE_IN_FUTURE = "date_in_future"  # more than FUTURE_TOLERANCE ahead of now: clock or zone error
DATE_IMPLAUSIBLE = "date_implausible"  # before EARLIEST (CMS placeholders like 1970-01-01, 0001-01-01)
DATE_TIMEZONE_ASSUMED = "date_timezone_assumed"  # a time without a (known) zone, read as UTC
# Where a local article's date came from (files carry no date field): a date line or dateline near the
# top of its text, else the file's modification time.
DATE_FROM_TEXT = "date_from_text"
DATE_FROM_FILE = "date_from_file"

FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def _hours(h: float) -> timezone:
    return timezone(timedelta(hours=h))


# Abbreviations as news sites use them. Ambiguous ones are pinned to the reading most common in
# news feeds: CST = US Central (RFC 822), IST = India, AMT = Armenia (this project's region).
TZ_ABBREVIATIONS: dict[str, timezone] = {
    "UT": UTC, "UTC": UTC, "GMT": UTC, "Z": UTC, "WET": UTC,
    "EST": _hours(-5), "EDT": _hours(-4), "CST": _hours(-6), "CDT": _hours(-5),
    "MST": _hours(-7), "MDT": _hours(-6), "PST": _hours(-8), "PDT": _hours(-7),
    "AKST": _hours(-9), "AKDT": _hours(-8), "HST": _hours(-10),
    "BST": _hours(1), "IST": _hours(5.5), "WEST": _hours(1), "CET": _hours(1), "CEST": _hours(2),
    "MET": _hours(1), "MEST": _hours(2), "EET": _hours(2), "EEST": _hours(3), "MSK": _hours(3),
    "MSD": _hours(4), "TRT": _hours(3), "AMT": _hours(4), "AMST": _hours(5), "GET": _hours(4),
    "AZT": _hours(4), "GST": _hours(4), "IRST": _hours(3.5), "PKT": _hours(5), "EAT": _hours(3),
    "SAST": _hours(2), "WAT": _hours(1), "CAT": _hours(2), "ICT": _hours(7), "WIB": _hours(7),
    "SGT": _hours(8), "HKT": _hours(8), "PHT": _hours(8), "AWST": _hours(8), "JST": _hours(9),
    "KST": _hours(9), "ACST": _hours(9.5), "AEST": _hours(10), "AEDT": _hours(11),
    "NZST": _hours(12), "NZDT": _hours(13),
}  # fmt: skip

# "GMT+3" means three hours ahead of UTC in news copy; dateutil reads it POSIX-style (behind).
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.IGNORECASE)
_DOTTED_DAY_FIRST = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b")  # 05.01.2021 is 5 January
_EPOCH = re.compile(r"^\s*(\d{9,10}|\d{12,13})(?:\.\d+)?\s*$")
_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_UTC_OFFSET_AFTER_TIME = re.compile(r"(:\d\d(?:\.\d+)?)\s*[+-]\d\d:?\d\d")  # "+0000" is not a year
# Two reference dates that differ in every field: whatever differs in the two parses was missing.
_REF_A = datetime(2001, 2, 3, 4, 5, 6)
_REF_B = datetime(2002, 3, 4, 5, 6, 7)


def parse_date(value: str | None, *, now: datetime | None = None) -> tuple[datetime | None, str | None]:
    """Read a publication date: (UTC datetime, None) or (None or datetime, flag).

    Returns (None, "date_missing") for no value, (None, "date_unparsed") when year, month or
    day cannot be read from the text, (None, "date_in_future"/"date_implausible") for dates no
    article can have, and (datetime, "date_timezone_assumed") for a time without a known zone.
    """
    if value is None or not value.strip():
        return None, DATE_MISSING
    now = (now or datetime.now(UTC)).astimezone(UTC)
    text = " ".join(value.split())
    epoch = _EPOCH.match(text)
    if epoch:
        seconds = float(epoch.group(1))
        parsed = datetime.fromtimestamp(seconds / 1000 if len(epoch.group(1)) > 10 else seconds, UTC)
        return _checked(parsed, now, None)
    parsed, time_missing = _parse_text(text)
    if parsed is None:
        return None, DATE_UNPARSED
    years = _FOUR_DIGIT_YEAR.findall(_UTC_OFFSET_AFTER_TIME.sub(r"\1", text))
    if years and str(parsed.year) not in years:  # "0001" read as 2001: the text's year is not a date
        return None, DATE_IMPLAUSIBLE if any(int(y) < EARLIEST.year for y in years) else DATE_UNPARSED
    if not years:
        try:
            parsed = parsed.replace(year=_two_digit_year(parsed.year % 100, now))
        except ValueError:  # 29 February moved to a year without one
            return None, DATE_UNPARSED
    flag = None
    if parsed.tzinfo is None:
        flag = None if time_missing else DATE_TIMEZONE_ASSUMED
        parsed = parsed.replace(tzinfo=UTC)
    return _checked(parsed.astimezone(UTC), now, flag)


def _parse_text(text: str) -> tuple[datetime | None, bool]:
    """dateutil with a fixed zone table; (None, _) unless year, month and day are all present."""
    text = _GMT_OFFSET.sub(_posix_to_iso_offset, text)
    dayfirst = bool(_DOTTED_DAY_FIRST.match(text))
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UnknownTimezoneWarning: handled as "no zone" below
        for default in (_REF_A, _REF_B):
            try:
                results.append(_dateutil.parse(text, default=default, dayfirst=dayfirst, tzinfos=_tzinfo))
            except (ValueError, OverflowError, TypeError):
                return None, False
    a, b = results
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None, False  # part of the date was filled in from the default, not read
    time_missing = (a.hour, a.minute) != (b.hour, b.minute)
    parsed = a.replace(second=0) if a.second != b.second else a
    if time_missing:
        parsed = parsed.replace(hour=0, minute=0, second=0, microsecond=0)
    return parsed, time_missing


def _tzinfo(name: str, offset: int | None) -> timezone | None:
    if name:
        return TZ_ABBREVIATIONS.get(name.upper())
    return timezone(timedelta(seconds=offset)) if offset is not None else None


def _posix_to_iso_offset(match: re.Match[str]) -> str:
    sign, hours, minutes = match.group(1), int(match.group(2)), match.group(3) or "00"
    return f"{sign}{hours:02d}:{minutes}"


def _two_digit_year(yy: int, now: datetime) -> int:
    """'21' is 2021 and '99' is 1999: the latest century that does not put the year in the future."""
    year = 2000 + yy
    return year if year <= now.year + 1 else year - 100


def _checked(parsed: datetime, now: datetime, flag: str | None) -> tuple[datetime | None, str | None]:
    if parsed > now + FUTURE_TOLERANCE:
        return None, DATE_IN_FUTURE
    if parsed < EARLIEST:
        return None, DATE_IMPLAUSIBLE
    return parsed, flag


# A line that is only a date, perhaps labelled: "12 September 2023", "Published: 2023-09-12 10:30".
_DATE_LABEL = re.compile(r"^\s*(?:(?:first\s+)?published|posted|updated|date[d]?)\b\s*(?:on\b)?\s*:?\s*", re.IGNORECASE)
# A dateline opening a paragraph: "YEREVAN, September 12, 2023 — ...", "Moscow, 12 Sept. 2023 (Reuters) - ...".
_DATELINE = re.compile(r"^\s*[A-Z][\w'’.\- ]{1,30},\s+(?P<date>[^()—–\n]{6,40}?)\s*(?:\(|—|–|-{1,2}\s|:)")
TOP_LINES = 6  # non-empty lines looked at: a headline, perhaps a byline, the date line
DATE_LINE_CHARS = 40


def date_near_top(text: str, *, now: datetime | None = None) -> datetime | None:
    """The publication date a plain-text article states near its top: a line holding only a date
    (optionally "Published:"/"Updated:"), or a dateline ("YEREVAN, September 12, 2023 — ...").
    Dates in the prose ("On Tuesday, September 12, ...") are events, not the publication, and are not
    taken; nor is anything parse_date would not accept with year, month and day."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:TOP_LINES]
    for line in lines:
        dateline = _DATELINE.match(line)
        candidates = [_DATE_LABEL.sub("", line, count=1)] + ([dateline.group("date")] if dateline else [])
        for candidate in candidates:
            if not candidate or len(candidate) > DATE_LINE_CHARS:
                continue
            parsed, flag = parse_date(candidate, now=now)
            if parsed is not None and flag in (None, DATE_TIMEZONE_ASSUMED):
                return parsed
    return None
