"""presswatch dashboard (Streamlit): what an analyst opens every morning.

Run:  streamlit run dashboards/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true
(or ``presswatch dashboard`` / ``make dashboard``, which bind 127.0.0.1).

Pages: Overview (open alerts, coverage over time, top people and places), Map, Network (who is covered
together), Articles (search, filters, the article with its names highlighted), Data quality (runs, data
checks, quarantine, feeds). Filters live in the URL, so a view can be shared by copying the address.

The database path comes only from ``flows.config.load_settings()`` (so PRESSWATCH_DB / PRESSWATCH_CONFIG
apply). Every page load reads the database read-only in one short batch (see ``dashboards/db.py``); while
a run holds the file, the page shows the last snapshot with a notice. Acknowledging alerts is the one
write, through ``flows.alerting.acknowledge_alerts``.

Untrusted text (article titles, bodies, evidence, sources, URLs) is never rendered as HTML or Markdown
as-is: ``md_escape`` turns it into inert text, and the only HTML we add is ``<mark>`` around names.
"""

from __future__ import annotations

import html
import json
import math
import re
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import duckdb
import pandas as pd
import streamlit as st

try:
    from dashboards import db, queries
    from flows.config import ConfigError, Settings, load_settings
except ModuleNotFoundError:  # `streamlit run dashboards/app.py` without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from dashboards import db, queries
    from flows.config import ConfigError, Settings, load_settings

APP_TITLE = "presswatch"

# URL value -> (label, days); None days = all time. Kept in the URL as ?period=...
PERIODS: dict[str, tuple[str, int | None]] = {
    "7d": ("Last 7 days", 7),
    "30d": ("Last 30 days", 30),
    "90d": ("Last 90 days", 90),
    "all": ("All time", None),
}
DEFAULT_PERIOD = "7d"

ALERTS_PAGE = 5
TOP_N = 15
ARTICLES_PAGE = 20
REFRESH_SECONDS = 30
ACK_WAIT_SECONDS = 4.0
BUSY_ACK = "The database is busy saving a run. Try again in a moment."

STATUS_ICONS = {"completed": "✓", "failed": "✗", "running": "…"}
FEED_ICONS = {"healthy": "✓ healthy", "backing off": "⚠ backing off", "failing": "✗ failing"}
KIND_LABELS = {"actor": "Person", "location": "Place", "organization": "Organisation"}
KIND_PLURALS = {"actor": "People", "location": "Places", "organization": "Organisations"}
KIND_COLORS = {"actor": "#ffe08a", "location": "#b7e4c7", "organization": "#c8d8ff"}
STAGE_HELP = (
    "**load** reading a local file · **fetch** downloading a page or feed · **parse** reading the "
    "downloaded content · **clean** no usable article text · **validate** failed a data-quality check · "
    "**tag** finding people and places failed"
)

# --------------------------------------------------------------------------------------------------
# Safe rendering of untrusted text
# --------------------------------------------------------------------------------------------------

_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
# Everything else Markdown (and Streamlit's extensions: :color[...], :emoji:, $math$) could act on.
_MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()#+-.!|~$:=^")


def _escape_chars(text: str) -> str:
    out = []
    for ch in text:
        if ch in _HTML_ENTITIES:
            out.append(_HTML_ENTITIES[ch])
        elif ch in _MARKDOWN_SPECIALS:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def md_escape(text: Any) -> str:
    """Untrusted text -> Markdown that displays exactly that text on one line (no HTML, links, styling)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return _escape_chars(_one_line(text))


def highlight(text: Any, terms: Iterable[str]) -> str:
    """Escaped ``text`` with every whole-word, case-insensitive occurrence of ``terms`` in ``<mark>``.

    Matching runs on the raw text and each piece is escaped separately, so names containing ``&`` or
    quotes still match and nothing from the text can open or close a tag."""
    plain = _one_line(text or "")
    wanted = sorted({_one_line(t) for t in terms if t and str(t).strip()}, key=len, reverse=True)
    if not wanted:
        return _escape_chars(plain)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, wanted)) + r")(?!\w)", re.IGNORECASE)
    parts: list[str] = []
    pos = 0
    for m in pattern.finditer(plain):
        parts.append(_escape_chars(plain[pos : m.start()]))
        parts.append(f"<mark>{_escape_chars(m.group())}</mark>")
        pos = m.end()
    parts.append(_escape_chars(plain[pos:]))
    return "".join(parts)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str | None
    name: str | None


def mark_spans(text: str, spans: Iterable[Span]) -> list[str]:
    """Paragraphs of ``text`` as safe Markdown, each ``spans`` range wrapped in a coloured ``<mark>``.

    Offsets are character offsets into ``text`` (as stored in ``mentions``); spans that fall outside the
    text, overlap an earlier one or cross a line break are skipped rather than guessed. Every line of the
    text is a paragraph (extractors put one paragraph per line)."""
    ordered = sorted(
        (s for s in spans if 0 <= s.start < s.end <= len(text) and "\n" not in text[s.start : s.end]),
        key=lambda s: (s.start, -s.end),
    )
    pieces: list[str] = []
    pos = 0
    for s in ordered:
        if s.start < pos:
            continue
        pieces.append(_escape_chars(text[pos : s.start]))
        color = KIND_COLORS.get(s.kind or "", "#e0e0e0")
        label = html.escape(f"{KIND_LABELS.get(s.kind or '', 'Name')}: {s.name or text[s.start : s.end]}", quote=True)
        pieces.append(
            f'<mark style="background-color:{color}; padding:0 2px; border-radius:3px" title="{label}">'
            f"{_escape_chars(_one_line(text[s.start : s.end]))}</mark>"
        )
        pos = s.end
    pieces.append(_escape_chars(text[pos:]))
    joined = "".join(pieces)
    paragraphs = re.split(r"\s*\n\s*", joined)  # each line of the stored text is a paragraph
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def safe_link(url: Any) -> str | None:
    """An http(s) URL made safe for a Markdown link target, else None (javascript:, file:, junk)."""
    if not isinstance(url, str) or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#@!$&*+,;=%~.-_")


def outlet_name(value: Any) -> str:
    """A short outlet name for a feed URL or source (its host), else the value itself."""
    if not isinstance(value, str) or not value.strip():
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        host = parts.netloc.lower()
        return host[4:] if host.startswith("www.") else host
    return Path(value).name or value


def as_list(value: Any) -> list[str]:
    if value is None or isinstance(value, str | float):
        return [value] if isinstance(value, str) else []
    return [str(v) for v in value if v is not None]


def dot_quote(text: Any) -> str:
    """A Graphviz double-quoted string with backslashes, quotes and line breaks neutralised."""
    clean = " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{clean}"'


# --------------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))


def _utc(ts: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(ts)
    return stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)


def fmt_time(ts: Any) -> str:
    if _missing(ts):
        return "—"
    return _utc(ts).strftime("%Y-%m-%d %H:%M UTC")


def fmt_day(ts: Any) -> str:
    if _missing(ts):
        return "—"
    return _utc(ts).strftime("%d %b %Y")


DATE_SOURCE_NOTES = {"file": " (file date)", "fetched": " (fetched; no date given)"}


def article_day(ts: Any, date_source: Any) -> str:
    """The article's day, and where it came from when it is not a date the source stated: a local
    file's modification time, or the day presswatch fetched an article that gave no date."""
    if _missing(ts):
        return "no date"
    return fmt_day(ts) + DATE_SOURCE_NOTES.get(str(date_source), "")


def ago(ts: Any, now: datetime | None = None) -> str:
    if _missing(ts):
        return ""
    seconds = ((now or datetime.now(UTC)) - _utc(ts).to_pydatetime()).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            span = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"in {span}" if future else f"{span} ago"
    return "in a moment" if future else "just now"


def run_status(status: Any) -> str:
    if _missing(status):
        return "never run"
    return f"{STATUS_ICONS.get(str(status), '•')} {status}"


def validation_label(success: Any) -> str:
    if _missing(success):
        return "— not checked"
    return "✓ passed" if bool(success) else "⚠ problems found"


def change_label(current: Any, previous: Any) -> str:
    """ "+12 (+40%)", "−3 (−20%)", "new", "same"; empty when there is no previous period."""
    if _missing(previous):
        return ""
    cur, prev = int(current), int(previous)
    if prev == 0:
        return "new" if cur else ""
    diff = cur - prev
    if diff == 0:
        return "same"
    sign = "+" if diff > 0 else "−"
    return f"{sign}{abs(diff)} ({sign}{abs(diff) / prev:.0%})"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# --------------------------------------------------------------------------------------------------
# Filters kept in the URL
# --------------------------------------------------------------------------------------------------


def url_bound(name: str, default: Any, parse: Callable[[str], Any]) -> str:
    """Prepare the widget key ``w_<name>`` from ``?name=...`` (first visit, a shared link, an edited
    address) or from this session's last value; returns the key to give the widget."""
    key, store, seen = f"w_{name}", f"pw_{name}", f"_url_{name}"
    raw = st.query_params.get(name)
    if raw is not None and raw != st.session_state.get(seen):
        st.session_state[seen] = raw
        value = parse(raw)
        if value is not None:
            st.session_state[store] = value
            st.session_state[key] = value
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(store, default)
    return key


def url_store(
    name: str, value: Any, dump: Callable[[Any], str | None] = lambda v: None if v in (None, "") else str(v)
) -> None:
    """Remember the widget's value for this session and write it to the URL (or drop it when empty)."""
    st.session_state[f"pw_{name}"] = value
    text = dump(value)
    if text is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != text:
        st.query_params[name] = text
    st.session_state[f"_url_{name}"] = text


def period_filter() -> str:
    """The period radio, initialised from ?period=... and written back to it; shared by the pages."""
    key = url_bound("period", DEFAULT_PERIOD, lambda raw: raw if raw in PERIODS else None)
    if st.session_state.get(key) not in PERIODS:
        st.session_state[key] = DEFAULT_PERIOD
    choice = st.radio(
        "Period",
        list(PERIODS),
        format_func=lambda k: PERIODS[k][0],
        key=key,
        horizontal=True,
        help="Counts, charts and lists cover articles dated in this period: whole days in UTC, today "
        "included (the publication date, or the day presswatch fetched an article that had no date).",
    )
    url_store("period", choice)
    return choice


# --------------------------------------------------------------------------------------------------
# Reading the database
# --------------------------------------------------------------------------------------------------


def get_settings() -> Settings | None:
    try:
        return load_settings()
    except ConfigError as exc:
        st.error(f"The presswatch settings could not be loaded: {md_escape(exc)}")
        return None


class Batch:
    """The panels of one page load; they share one capabilities check (see ``queries.Caps``)."""

    def __init__(self) -> None:
        self._caps: queries.Caps | None = None

    def caps(self, conn: duckdb.DuckDBPyConnection) -> queries.Caps:
        if self._caps is None:
            self._caps = queries.capabilities(conn)
        return self._caps


def read(
    settings: Settings, key: tuple, panels: dict[str, Callable[[duckdb.DuckDBPyConnection], Any]]
) -> db.ReadResult:
    return db.read_panels(settings.db_path, key, panels, prepare=queries.prepare)


def reload_button(key: str) -> None:
    st.button("Reload now", key=key, help="Read the database again.")


def show_read_state(result: db.ReadResult, settings: Settings) -> bool:
    """Notices for the database state; False when there is nothing to show."""
    if result.state in ("missing", "empty"):
        st.info(db.NO_DATA_MESSAGE, icon=":material/inbox:")
        st.caption(f"Looked for the database at {md_escape(settings.db_path)}")
        return False
    if result.state == "busy":
        st.info(db.BUSY_NOTICE, icon=":material/sync:")
        reload_button("reload_busy")
        return False
    if result.state == "unreadable":
        st.warning(
            f"The database file could not be read: {md_escape(result.detail)}. "
            "If presswatch is running right now, reload in a few seconds.",
            icon=":material/warning:",
        )
        st.caption(f"Database: {md_escape(settings.db_path)}")
        reload_button("reload_unreadable")
        return False
    if result.state == "snapshot":
        st.info(
            f"{db.SNAPSHOT_NOTICE} (read {ago(result.read_at)}, {fmt_time(result.read_at)}). "
            "It updates by itself when the run finishes.",
            icon=":material/sync:",
        )
    if result.problems:
        st.caption(
            "Some panels are not available for this database (it may predate this dashboard): "
            + ", ".join(md_escape(p) for p in result.problems)
        )
    return True


def page_top(page: str, description: str) -> Any:
    """Title, a placeholder for the status line, and what the page shows; before any filter widget."""
    st.title(f"{APP_TITLE} · {page}")
    status = st.empty()
    st.caption(description)
    return status


def fill_status(status: Any, result: db.ReadResult | None) -> None:
    """The status line on every page: open alerts, the last run, when the data was read."""
    head = result.get("head") if result is not None and result.has_data else None
    if head is None or head.empty:
        return
    row = head.iloc[0]
    open_alerts = int(row["alerts_unacknowledged"])
    bell = (
        f":material/notifications_active: **{plural(open_alerts, 'unacknowledged alert')}**"
        if open_alerts
        else ":material/notifications_off: no unacknowledged alerts"
    )
    last = row["last_run_finished_at"] if not _missing(row["last_run_finished_at"]) else row["last_run_started_at"]
    run = f"last run {run_status(row['last_run_status'])}" + (f" {ago(last)}" if not _missing(last) else "")
    status.caption(f"{bell} · {run} · {int(row['articles_total']):,} articles stored · read {fmt_time(result.read_at)}")
    st.session_state["pw_version"] = (
        row["runs_finished_max"] if not _missing(row["runs_finished_max"]) else None,
        int(row["runs_total"]),
        int(row["articles_total"]),
        open_alerts,
    )


def header_panel(batch: Batch) -> dict[str, Callable[[duckdb.DuckDBPyConnection], Any]]:
    return {"caps": batch.caps, "head": queries.header_counts}


def show_flash() -> None:
    flash = st.session_state.pop("pw_flash", None)
    if flash:
        kind, text = flash
        if kind == "success":
            st.success(text, icon=":material/check_circle:")
        else:
            st.info(text, icon=":material/hourglass_top:")


@st.fragment(run_every=REFRESH_SECONDS)
def watch_for_new_data() -> None:
    """Every REFRESH_SECONDS: if a run finished (or articles/alerts changed), reload the page."""
    settings = get_settings()
    if settings is None:
        return
    result = db.read_panels(
        settings.db_path, ("watch",), {"version": queries.data_version}, prepare=queries.prepare, retry_seconds=0.3
    )
    if result.state == "fresh":
        version = result.get("version")
        known = st.session_state.get("pw_version")
        if known is not None and tuple(version) != tuple(known):
            st.session_state["pw_version"] = version
            st.rerun(scope="app")
        st.session_state["pw_version"] = version
    st.caption(f"Looks for new data every {REFRESH_SECONDS} s; the page reloads by itself when a run lands.")


# --------------------------------------------------------------------------------------------------
# Acknowledging alerts (the one write)
# --------------------------------------------------------------------------------------------------

_ACK_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presswatch-ack")


def _ack_worker(db_path: Path, alert_ids: list[str]) -> int:
    from flows.alerting import acknowledge_alerts

    deadline = time.monotonic() + 20
    while True:
        try:
            return acknowledge_alerts(db_path, alert_ids)
        except duckdb.ConnectionException:
            # this process holds a read-only connection for another page load: it closes in milliseconds
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def acknowledge(db_path: Path, alert_ids: list[str], wait: float = ACK_WAIT_SECONDS) -> tuple[str, int]:
    """("done", n) or ("busy", 0). A run holding the database makes the write wait; after ``wait``
    seconds we stop waiting and ask the user to try again (the write still lands if the run finishes
    within ~30 s)."""
    if not alert_ids:
        return "done", 0
    future = _ACK_POOL.submit(_ack_worker, db_path, list(alert_ids))
    try:
        return "done", int(future.result(timeout=wait))
    except FutureTimeout:
        return "busy", 0
    except Exception as exc:  # noqa: BLE001 - a locked or briefly unavailable file: same advice
        st.session_state["pw_ack_detail"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return "busy", 0


def on_acknowledge(db_path: str, alert_ids: list[str], label: str) -> None:
    state, count = acknowledge(Path(db_path), alert_ids)
    if state == "done":
        db.clear_snapshots()
        st.session_state["pw_flash"] = ("success", f"Acknowledged {plural(count, 'alert')} ({label}).")
    else:
        st.session_state["pw_flash"] = ("info", BUSY_ACK)


# --------------------------------------------------------------------------------------------------
# Overview page
# --------------------------------------------------------------------------------------------------


def watch_rule(settings: Settings) -> str:
    return settings.alerts.rules[0].name if settings.alerts.rules else queries.ALERT_RULE


def render_metrics(head: pd.DataFrame | None, counts: pd.DataFrame | None, period: str) -> None:
    if head is None or head.empty or counts is None or counts.empty:
        return
    label, days = PERIODS[period]
    h, c = head.iloc[0], counts.iloc[0]
    cols = st.columns(4)
    prev = None if days is None else int(c["articles_previous"])
    cols[0].metric(
        "Articles stored" if days is None else f"Articles · {label.lower()}",
        f"{int(c['articles']):,}",
        delta=None if prev is None else int(c["articles"]) - prev,
        help=f"{int(h['articles_total']):,} articles stored in total."
        + ("" if prev is None else f" The {days} days before: {prev:,}."),
        border=True,
    )
    cols[1].metric(
        "Unacknowledged alerts",
        int(h["alerts_unacknowledged"]),
        help="Alerts nobody has marked as seen yet (any date). Listed below.",
        border=True,
    )
    prev_alerts = None if days is None else int(c["alerts_previous"])
    cols[2].metric(
        "Alerts raised" if days is None else f"Alerts raised · {label.lower()}",
        int(c["alerts"]),
        delta=None if prev_alerts is None else int(c["alerts"]) - prev_alerts,
        delta_color="inverse",
        help=f"{int(h['alerts_total']):,} alerts in total.",
        border=True,
    )
    last = h["last_run_finished_at"] if not _missing(h["last_run_finished_at"]) else h["last_run_started_at"]
    cols[3].metric(
        "Last run",
        "Never run" if _missing(h["last_run_status"]) else str(h["last_run_status"]).capitalize(),
        help="The most recent time the pipeline collected and checked articles.",
        border=True,
    )
    if not _missing(last):
        cols[3].caption(f"{ago(last)} · {fmt_time(last)}")


def alert_title(row: Any) -> str:
    rule = str(row.rule or "")
    if rule.startswith("spike:"):
        return f":material/trending_up: Coverage spike on {md_escape(rule.removeprefix('spike:'))}"
    return md_escape(row.title) or "(untitled article)"


def render_alert_card(row: Any, db_path: Path) -> None:
    with st.container(border=True):
        text, button = st.columns([4, 1], vertical_alignment="top")
        with text:
            link = safe_link(row.url)
            line = f"**{alert_title(row)}**"
            if link:
                line += f" · [open article ↗]({link})"
            st.markdown(line)
            outlets = int(row.outlets)
            names = list(dict.fromkeys(o for o in (outlet_name(s) for s in row.outlet_list) if o))
            where = ", ".join(md_escape(n) for n in names[:6]) + (" …" if len(names) > 6 else "")
            dated = article_day(row.published_at, row.date_source)
            st.caption(
                f"{md_escape(outlet_name(row.source)) or 'unknown source'} · {dated} · "
                f"**seen in {plural(outlets, 'outlet')}**" + (f" ({where})" if outlets > 1 and where else "")
            )
            if not _missing(row.evidence) and str(row.evidence).strip():
                terms = as_list(row.highlight_terms) + as_list(row.matched_names)
                st.markdown(f"> “{highlight(row.evidence, terms)}”", unsafe_allow_html=True)
            score = "" if _missing(row.score) else f" · score {float(row.score):.1f}"
            names_line = as_list(row.matched_names)
            st.caption(
                f"Rule {md_escape(row.rule)}{score} · raised {ago(row.created_at)} ({fmt_time(row.created_at)})"
                + (" · matched: " + ", ".join(md_escape(n) for n in names_line) if names_line else "")
            )
        with button:
            st.button(
                "Acknowledge",
                key=f"ack_{row.alert_id}",
                icon=":material/check:",
                help="Mark this alert as seen: it leaves this list and the count.",
                on_click=on_acknowledge,
                args=(str(db_path), [row.alert_id], "one alert"),
                width="stretch",
            )


def render_alerts(alerts: pd.DataFrame | None, open_ids: list[str] | None, total: int, db_path: Path) -> None:
    st.subheader(f"Unacknowledged alerts ({total:,})" if total else "Unacknowledged alerts")
    st.caption(
        "Articles where presswatch found the watched relation (e.g. Armenia and Russia in the same passage), "
        "newest first. The quote is the passage that triggered the alert, with the matched names highlighted; "
        "“seen in N outlets” counts the copies of the story presswatch found elsewhere."
    )
    if alerts is None:
        return
    if alerts.empty:
        st.success("Nothing to review: every alert has been acknowledged.", icon=":material/done_all:")
        return
    ids = list(open_ids or alerts["alert_id"])
    with st.popover(f"Acknowledge all {len(ids):,}", icon=":material/done_all:"):
        st.write(f"Mark all {plural(len(ids), 'unacknowledged alert')} as seen, including those not shown below?")
        st.button(
            f"Yes, acknowledge {len(ids):,}",
            key="ack_all",
            type="primary",
            on_click=on_acknowledge,
            args=(str(db_path), ids, "all"),
        )
    for row in alerts.itertuples(index=False):
        render_alert_card(row, db_path)
    if total > len(alerts):
        st.button(
            f"Show {min(ALERTS_PAGE, total - len(alerts))} more",
            key="more_alerts",
            on_click=lambda: st.session_state.update(pw_alert_limit=len(alerts) + ALERTS_PAGE),
        )


def render_trend(frame: pd.DataFrame | None, granularity: str, rule: str, since: datetime | None) -> None:
    import altair as alt

    unit = "hour" if granularity == "hour" else "day"
    st.subheader(f"Articles per {unit}")
    st.caption(
        f"All articles (blue) and those on the watch topic (red: articles with a “{md_escape(rule)}” alert), "
        f"per {unit} in UTC."
    )
    if frame is None:
        return
    if frame.empty:
        st.info("No articles in this period.", icon=":material/inbox:")
        return
    when = pd.to_datetime(frame["bucket"])
    when = when.dt.tz_localize(UTC) if when.dt.tz is None else when.dt.tz_convert(UTC)  # buckets are UTC
    data = pd.DataFrame(
        {
            "When": when,
            "All articles": frame["articles"].astype(int),
            "Watch topic": frame["topic"].astype(int),
        }
    ).melt("When", var_name="Series", value_name="Articles")
    time_unit = "utcyearmonthdatehours" if unit == "hour" else "utcyearmonthdate"
    step = pd.Timedelta(hours=1) if unit == "hour" else pd.Timedelta(days=1)
    end = pd.Timestamp.now(tz=UTC).floor("h" if unit == "hour" else "D") + step
    start = pd.Timestamp(since).tz_convert(UTC) if since is not None else when.min()

    def utc(t: pd.Timestamp) -> alt.DateTime:  # the whole period on the axis, even where it has no articles
        return alt.DateTime(year=t.year, month=t.month, date=t.day, hours=t.hour, utc=True)

    domain = [utc(start), utc(end)]
    fmt = "%d %b %H:00" if unit == "hour" else "%d %b %Y"
    chart = (
        alt.Chart(data)
        .mark_bar(opacity=0.9)
        .encode(
            x=alt.X(f"{time_unit}(When):T", title=None, scale=alt.Scale(domain=domain), axis=alt.Axis(format=fmt)),
            y=alt.Y("Articles:Q", stack=None, title="Articles"),
            color=alt.Color(
                "Series:N",
                scale=alt.Scale(domain=["All articles", "Watch topic"], range=["#9ecae1", "#d62728"]),
                legend=alt.Legend(orient="top", title=None),
            ),
            order=alt.Order("Series:N", sort="ascending"),
            tooltip=[alt.Tooltip(f"{time_unit}(When):T", title="UTC", format=fmt), "Series:N", "Articles:Q"],
        )
        .properties(height=260)
    )
    st.altair_chart(chart, width="stretch")


def render_top(title: str, caption: str, frame: pd.DataFrame | None, name_label: str) -> None:
    st.subheader(title)
    st.caption(caption)
    if frame is None:
        return
    if frame.empty:
        st.info("Nobody found in this period." if name_label == "Person" else "None found in this period.")
        return
    table = pd.DataFrame(
        {
            "name": frame["name"],
            "articles": frame["articles"].astype(int),
            "change": [change_label(c, p) for c, p in zip(frame["articles"], frame["previous"], strict=True)],
        }
    )
    columns = {"name": st.column_config.TextColumn(name_label)}
    if name_label == "Place":
        table["country"] = frame["country_code"].fillna("")
        columns["country"] = st.column_config.TextColumn("Country", width="small")
    columns["articles"] = st.column_config.ProgressColumn(
        "Articles",
        format="%d",
        min_value=0,
        max_value=max(int(table["articles"].max()), 1),
        help="Number of different articles that name it in this period.",
    )
    columns["change"] = st.column_config.TextColumn(
        "vs previous period", help="Difference with the period of the same length just before."
    )
    if table["change"].eq("").all():
        table = table.drop(columns="change")
    st.dataframe(table, hide_index=True, column_config=columns, width="stretch", height=36 + 35 * len(table))


def overview_page() -> None:
    settings = get_settings()
    if settings is None:
        return
    status = page_top(
        "Overview",
        (
            "What the news monitor collected, which people and places it found, what it flagged for review, "
            "and whether its last runs were healthy."
        ),
    )
    period = period_filter()
    days = PERIODS[period][1]
    since, prev = queries.period_start(days), queries.previous_start(days)
    rule = watch_rule(settings)
    granularity = queries.trend_granularity(days)
    limit = int(st.session_state.get("pw_alert_limit", ALERTS_PAGE))
    b = Batch()
    panels = header_panel(b) | {
        "counts": lambda c: queries.period_counts(c, since, prev, b.caps(c)),
        "alerts": lambda c: queries.open_alerts(c, limit, 0, b.caps(c)),
        "open_ids": queries.open_alert_ids,
        "trend": lambda c: queries.articles_over_time(c, since, rule, granularity, b.caps(c)),
        "actors": lambda c: queries.top_actors(c, since, TOP_N, prev_since=prev, caps=b.caps(c)),
        "locations": lambda c: queries.top_locations(c, since, TOP_N, prev_since=prev, caps=b.caps(c)),
    }
    result = read(settings, ("overview", period, limit, rule), panels)
    fill_status(status, result)
    show_flash()
    if not show_read_state(result, settings):
        return
    head = result.get("head")
    render_metrics(head, result.get("counts"), period)
    total_open = int(head.iloc[0]["alerts_unacknowledged"]) if head is not None and not head.empty else 0
    open_ids = result.get("open_ids")
    render_alerts(result.get("alerts"), open_ids, total_open, settings.db_path)
    st.divider()
    render_trend(result.get("trend"), granularity, rule, since)
    left, right = st.columns(2)
    label = PERIODS[period][0].lower()
    with left:
        render_top("Top people", f"People named in the most articles ({label}).", result.get("actors"), "Person")
    with right:
        render_top("Top places", f"Places named in the most articles ({label}).", result.get("locations"), "Place")


# --------------------------------------------------------------------------------------------------
# Map page
# --------------------------------------------------------------------------------------------------


def map_view(places: pd.DataFrame) -> tuple[float, float, float]:
    """Centre and zoom that fit the most-covered places."""
    top = places.head(25)
    lat_min, lat_max = float(top["latitude"].min()), float(top["latitude"].max())
    lon_min, lon_max = float(top["longitude"].min()), float(top["longitude"].max())
    span = max(lat_max - lat_min, (lon_max - lon_min) / 2, 2.0)
    zoom = max(0.8, min(6.0, math.log2(160 / span)))
    return (lat_min + lat_max) / 2, (lon_min + lon_max) / 2, zoom


def _project(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel coordinates at ``zoom`` (what deck.gl's MapView draws: the world is 512 px wide
    at zoom 0, not 256 as in tile maps, measured on the rendered map)."""
    scale = 512 * 2**zoom
    lat = max(min(lat, 85.0), -85.0)
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2
    return (lon + 180) / 360 * scale, y * scale


def place_labels(
    frame: pd.DataFrame,
    view: tuple[float, float, float],
    taken: list[tuple[float, float, float, float]] | None = None,
    *,
    size: float = 14,
    limit: int = 40,
    width: int = 1100,
    height: int = 520,
) -> tuple[pd.DataFrame, list[tuple[float, float, float, float]]]:
    """The rows (in priority order) whose label fits in the initial view without overlapping a label
    already placed; deck.gl's own collision filter needs WebGL features some browsers lack."""
    lat0, lon0, zoom = view
    cx, cy = _project(lat0, lon0, zoom)
    boxes = list(taken or [])
    keep = []
    for i, row in enumerate(frame.itertuples(index=False)):
        if len(keep) >= limit:
            break
        x, y = _project(float(row.lat), float(row.lon), zoom)
        x, y = x - cx + width / 2, y - cy + height / 2
        w, h = 0.55 * size * len(str(row.name)) + 8, size + 6
        box = (x - w / 2, y - h, x + w / 2, y + 4)
        if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height:
            continue
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        boxes.append(box)
        keep.append(i)
    return frame.iloc[keep], boxes


# The base map's own style, inline: only a sea-coloured background under the country shapes. Without a style,
# Streamlit gives the map its default Carto basemap style, which the browser then fetches from the internet.
OFFLINE_MAP_STYLE = "data:application/json," + quote(
    json.dumps(
        {
            "version": 8,
            "sources": {},
            "layers": [{"id": "sea", "type": "background", "paint": {"background-color": "#d6e4f0"}}],
        }
    ),
    safe="",
)


def render_map(places: pd.DataFrame) -> str | None:
    """The places over country borders and coastlines (offline, ``dashboards/basemap.py``); returns the
    entity id of a place the reader clicked."""
    import pydeck as pdk

    from dashboards.basemap import countries

    data = places.assign(
        radius=lambda d: 15_000 + 140_000 * (d["articles"] / max(int(d["articles"].max()), 1)) ** 0.5,
        label=lambda d: d["name"].astype(str),
        info=lambda d: (
            d["name"].astype(str)
            + " ("
            + d["country_code"].fillna("").astype(str)
            + "): "
            + d["articles"].astype(int).astype(str)
            + " articles. Click to read them."
        ),
    )[["entity_id", "name", "label", "info", "latitude", "longitude", "articles", "radius"]]
    lat, lon, zoom = map_view(data)
    shapes, country_labels = countries()
    view = (lat, lon, zoom)
    place_names, taken = place_labels(
        data.rename(columns={"latitude": "lat", "longitude": "lon"})[["name", "lat", "lon", "label"]], view, limit=30
    )
    country_names, _ = place_labels(country_labels, view, taken, size=12, limit=40)
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            shapes,
            id="countries",
            filled=True,
            stroked=True,
            get_fill_color=[247, 245, 239],
            get_line_color=[128, 128, 140, 200],
            line_width_min_pixels=0.8,
        ),
        pdk.Layer(
            "TextLayer",
            country_names,
            id="country-names",
            get_position="[lon, lat]",
            get_text="name",
            get_size=12,
            font_family="sans-serif",
            # glyphs drawn at about the size they are shown: with deck.gl's default 64 px font atlas the
            # labels came out a fifth of their size (seen in headless Chromium)
            font_settings={"fontSize": 16, "buffer": 2},
            get_color=[110, 115, 130, 230],
            font_weight=600,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data,
            id="places",
            get_position="[longitude, latitude]",
            get_radius="radius",
            get_fill_color=[214, 39, 40, 160],
            get_line_color=[120, 20, 20, 230],
            stroked=True,
            line_width_min_pixels=1,
            radius_min_pixels=4,
            pickable=True,
            auto_highlight=True,
        ),
        pdk.Layer(
            "TextLayer",
            place_names,
            id="place-names",
            get_position="[lon, lat]",
            get_text="label",
            get_size=14,
            font_family="sans-serif",
            font_settings={"fontSize": 16, "buffer": 2},
            get_color=[20, 20, 20, 255],
            get_pixel_offset=[0, -10],
            background=True,
            get_background_color=[255, 255, 255, 220],
            background_padding=[3, 1],
        ),
    ]
    deck = pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom),
        map_provider=None,
        map_style=OFFLINE_MAP_STYLE,
        tooltip={"text": "{info}"},
    )
    event = st.pydeck_chart(deck, height=520, on_select="rerun", selection_mode="single-object", key="map")
    clicked = (event.selection.get("objects") or {}).get("places") or []
    return str(clicked[0]["entity_id"]) if clicked and clicked[0].get("entity_id") else None


def map_page() -> None:
    settings = get_settings()
    if settings is None:
        return
    status = page_top(
        "Map",
        (
            "Places named in the articles of the period. Each red circle is a place; the bigger it is, the more "
            "articles name it. Click a circle to read its articles; hover for its count; drag to move, scroll to "
            "zoom. Borders and coastlines come with presswatch (Natural Earth): the map needs no internet."
        ),
    )
    period = period_filter()
    since = queries.period_start(PERIODS[period][1])
    b = Batch()
    panels = header_panel(b) | {
        "places": lambda c: queries.map_locations(c, since, 500, b.caps(c)),
        "unmapped": lambda c: queries.unmapped_locations(c, since, b.caps(c)),
    }
    result = read(settings, ("map", period), panels)
    fill_status(status, result)
    if not show_read_state(result, settings):
        return
    places = result.get("places")
    if places is None:
        return
    if places.empty:
        st.info("No places with map coordinates in this period.", icon=":material/map:")
    else:
        clicked = render_map(places)
        if clicked:
            st.switch_page(articles_page_link(), query_params={"entity": clicked})
        st.dataframe(
            pd.DataFrame(
                {
                    "Place": places["name"],
                    "Country": places["country_code"].fillna(""),
                    "Articles": places["articles"].astype(int),
                }
            ).head(50),
            hide_index=True,
            width="stretch",
        )
    unmapped = result.get("unmapped")
    if unmapped is not None and not unmapped.empty:
        st.caption(
            "Also named, without a point on the map (countries and regions): "
            + ", ".join(f"{md_escape(r.name)} ({int(r.articles)})" for r in unmapped.itertuples(index=False))
        )


# --------------------------------------------------------------------------------------------------
# Network page
# --------------------------------------------------------------------------------------------------


def network_dot(network: queries.Network) -> str:
    """A Graphviz graph (neato layout): people as yellow ovals, places as green boxes, sized by coverage;
    a line between two is thicker the more articles name both."""
    nodes, edges = network.nodes, network.edges
    top = max(int(nodes["articles"].max()), 1) if not nodes.empty else 1
    strongest = max(int(edges["articles"].max()), 1) if not edges.empty else 1
    ids = {eid: f"n{i}" for i, eid in enumerate(nodes["entity_id"])}
    lines = [
        "graph {",
        '  layout=neato; overlap=false; splines=true; sep="+12"; outputorder=edgesfirst; bgcolor="transparent";',
        '  node [fontname="Helvetica", style="filled", color="#555555", penwidth=0.6];',
        '  edge [color="#7f8fa6"];',
    ]
    for row in nodes.itertuples(index=False):
        size = 10 + 12 * math.sqrt(int(row.articles) / top)
        shape = "box" if row.kind == "location" else "ellipse"
        fill = KIND_COLORS.get(row.kind, "#e0e0e0")
        label = f"{row.name}\\n{int(row.articles)}"
        lines.append(
            f'  {ids[row.entity_id]} [label={dot_quote(row.name)}, xlabel="", tooltip={dot_quote(label)},'
            f' shape={shape}, fillcolor="{fill}", fontsize={size:.1f}];'
        )
    for row in edges.itertuples(index=False):
        if row.entity_a not in ids or row.entity_b not in ids:
            continue
        width = 0.6 + 5.5 * (int(row.articles) / strongest)
        tip = dot_quote(f"{row.name_a} – {row.name_b}: {int(row.articles)} articles")
        lines.append(f"  {ids[row.entity_a]} -- {ids[row.entity_b]} [penwidth={width:.2f}, tooltip={tip}];")
    lines.append("}")
    return "\n".join(lines)


def network_page() -> None:
    settings = get_settings()
    if settings is None:
        return
    status = page_top(
        "Network",
        (
            "Who is covered together: the people (yellow ovals) and places (green boxes) named in the most "
            "articles of the period, and a line between two when articles name both; the thicker the line, "
            "the more articles. Hover a line or a name for the numbers."
        ),
    )
    period = period_filter()
    since = queries.period_start(PERIODS[period][1])
    left, right = st.columns(2)
    with left:
        key = url_bound("nodes", 25, lambda raw: int(raw) if raw.isdigit() and 5 <= int(raw) <= 60 else None)
        nodes = st.slider("People and places shown", 5, 60, key=key, help="The most-covered in the period.")
        url_store("nodes", nodes)
    with right:
        key = url_bound("links", 40, lambda raw: int(raw) if raw.isdigit() and 5 <= int(raw) <= 150 else None)
        links = st.slider("Links shown", 5, 150, key=key, help="The strongest links between them.")
        url_store("links", links)
    b = Batch()
    panels = header_panel(b) | {"network": lambda c: queries.co_mentions(c, since, nodes, links, b.caps(c))}
    result = read(settings, ("network", period, nodes, links), panels)
    fill_status(status, result)
    if not show_read_state(result, settings):
        return
    network = result.get("network")
    if network is None:
        return
    if network.nodes.empty:
        st.info("No people or places named in this period.", icon=":material/hub:")
        return
    if network.edges.empty:
        st.info("No two of them are named in the same article in this period.", icon=":material/hub:")
    st.graphviz_chart(network_dot(network), width="stretch")
    untracked = network.nodes[~network.nodes["tracked"].astype(bool)]
    if not untracked.empty:
        st.caption(
            "Links are counted between the most-covered people and places overall; these are new to that "
            "list and show no links yet: " + ", ".join(md_escape(n) for n in untracked["name"])
        )
    if not network.edges.empty:
        st.markdown("**Strongest links**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Between": network.edges["name_a"],
                    "and": network.edges["name_b"],
                    "Articles naming both": network.edges["articles"].astype(int),
                }
            ),
            hide_index=True,
            width="stretch",
        )


# --------------------------------------------------------------------------------------------------
# Articles page
# --------------------------------------------------------------------------------------------------


def parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def article_filters(options: dict[str, pd.DataFrame] | None) -> queries.ArticleFilters:
    sources = options["sources"] if options else pd.DataFrame(columns=["source", "language", "articles"])
    entities = options["entities"] if options else pd.DataFrame(columns=["entity_id", "name", "kind", "articles"])
    by_source = sources.groupby("source", dropna=True)["articles"].sum().sort_values(ascending=False)
    by_language = sources.groupby("language", dropna=True)["articles"].sum().sort_values(ascending=False)
    entity_names = {
        r.entity_id: f"{r.name} ({KIND_LABELS.get(r.kind, r.kind)}, {int(r.articles):,})"
        for r in entities.itertuples(index=False)
    }
    key = url_bound("q", "", lambda raw: raw[:200])
    text = st.text_input(
        "Search titles and text",
        key=key,
        placeholder="e.g. Pashinyan gas talks",
        help="Finds articles containing any of the words, best matches first (“talks” also finds “talk”).",
    )
    url_store("q", text.strip())
    c1, c2, c3, c4, c5 = st.columns([3, 3, 1.3, 1.3, 1.3])
    with c1:
        key = url_bound("source", None, lambda raw: raw if raw in by_source.index else None)
        if st.session_state.get(key) not in by_source.index:
            st.session_state[key] = None
        source = st.selectbox(
            "Outlet",
            list(by_source.index),
            key=key,
            placeholder="All outlets",
            format_func=lambda s: f"{outlet_name(s)} ({int(by_source[s]):,})",
        )
        url_store("source", source)
    with c2:
        key = url_bound("entity", None, lambda raw: raw if raw in entity_names else None)
        if st.session_state.get(key) not in entity_names:
            st.session_state[key] = None
        entity = st.selectbox(
            "Names",
            list(entity_names),
            key=key,
            placeholder="Any person, place or organisation",
            format_func=lambda e: entity_names.get(e, e),
        )
        url_store("entity", entity)
    with c3:
        key = url_bound("lang", None, lambda raw: raw if raw in by_language.index else None)
        if st.session_state.get(key) not in by_language.index:
            st.session_state[key] = None
        language = st.selectbox(
            "Language",
            list(by_language.index),
            key=key,
            placeholder="Any",
            format_func=lambda lang: f"{lang} ({int(by_language[lang]):,})",
        )
        url_store("lang", language)
    with c4:
        key = url_bound("from", None, parse_day)
        date_from = st.date_input("From", key=key, format="YYYY-MM-DD")
        url_store("from", date_from, lambda d: d.isoformat() if d else None)
    with c5:
        key = url_bound("to", None, parse_day)
        date_to = st.date_input("To", key=key, format="YYYY-MM-DD")
        url_store("to", date_to, lambda d: d.isoformat() if d else None)
    return queries.ArticleFilters(
        text=text.strip(),
        source=source,
        entity_id=entity,
        language=language,
        date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None,
    )


def open_article(article_id: str | None) -> None:
    if article_id:
        st.query_params["article"] = article_id
    elif "article" in st.query_params:
        del st.query_params["article"]


def render_article(detail: dict[str, pd.DataFrame] | None) -> None:
    if detail is None:
        return
    article = detail["article"]
    if article.empty:
        st.warning(
            "That article is not in the database (the link may be from another database).", icon=":material/search_off:"
        )
        st.button("Close", key="close_article", on_click=open_article, args=(None,))
        return
    a = article.iloc[0]
    mentions = detail["mentions"]
    spans = {
        field: [
            Span(int(m.start_char), int(m.end_char), m.kind, m.name)
            for m in mentions[mentions["field"] == field].itertuples(index=False)
            if not _missing(m.start_char) and not _missing(m.end_char)
        ]
        for field in ("title", "body")
    }
    with st.container(border=True):
        top, close = st.columns([8, 1])
        with top:
            title = mark_spans(str(a["title"] or "(untitled article)"), spans["title"])
            st.markdown("### " + (" ".join(title) or "(untitled article)"), unsafe_allow_html=True)
        close.button("Close", key="close_article", on_click=open_article, args=(None,), icon=":material/close:")
        link = safe_link(a["url"])
        dated = article_day(a["dated"], a["date_source"])
        st.caption(
            f"{md_escape(outlet_name(a['source']))} · {dated} · language {md_escape(a['language']) or '?'}"
            + (f" · [original ↗]({link})" if link else "")
        )
        alerts = detail["alerts"]
        if not alerts.empty:
            st.caption(
                "Alerts: "
                + ", ".join(
                    f"{md_escape(r.rule)} ({'acknowledged' if not _missing(r.acknowledged_at) else 'open'})"
                    for r in alerts.itertuples(index=False)
                )
            )
        if not mentions.empty:
            named = mentions.dropna(subset=["name"]).groupby(["kind", "name"]).size().reset_index(name="n")
            legend = []
            for kind in ("actor", "location", "organization"):
                rows = named[named["kind"] == kind].sort_values("n", ascending=False)
                if not rows.empty:
                    legend.append(
                        f'<mark style="background-color:{KIND_COLORS[kind]}">{KIND_PLURALS[kind]}</mark>: '
                        + ", ".join(md_escape(r.name) for r in rows.itertuples(index=False))
                    )
            st.markdown("  \n".join(legend), unsafe_allow_html=True)
        st.markdown("\n\n".join(mark_spans(str(a["body"] or ""), spans["body"])), unsafe_allow_html=True)


def articles_page() -> None:
    settings = get_settings()
    if settings is None:
        return
    status = page_top(
        "Articles",
        (
            "Search and filter the stored articles. “Read” opens an article with the people, places and "
            "organisations presswatch found highlighted. The address bar keeps your search and filters."
        ),
    )
    b = Batch()
    opts = read(
        settings, ("article-options",), header_panel(b) | {"options": lambda c: queries.filter_options(c, b.caps(c))}
    )
    fill_status(status, opts)
    if not show_read_state(opts, settings):
        return
    filters = article_filters(opts.get("options"))
    page_key = url_bound("page", 1, lambda raw: int(raw) if raw.isdigit() and int(raw) >= 1 else None)
    filter_sig = (filters.text, filters.source, filters.entity_id, filters.language, filters.date_from, filters.date_to)
    if st.session_state.get("pw_filter_sig") not in (None, filter_sig):
        st.session_state[page_key] = 1  # new filters: back to the first page
    st.session_state["pw_filter_sig"] = filter_sig
    page = int(st.session_state.get(page_key, 1))
    article_id = st.query_params.get("article")
    b2 = Batch()
    panels: dict[str, Callable[[duckdb.DuckDBPyConnection], Any]] = {
        "results": lambda c: queries.search_articles(c, filters, ARTICLES_PAGE, (page - 1) * ARTICLES_PAGE, b2.caps(c)),
        "caps": b2.caps,
    }
    if article_id:
        panels["detail"] = lambda c: queries.article_detail(c, article_id)
    result = read(settings, ("articles", filter_sig, page, article_id), panels)
    if not show_read_state(result, settings):
        return
    if article_id:
        render_article(result.get("detail"))
    found = result.get("results")
    caps = result.get("caps")
    if found is None:
        return
    how = {
        "bm25": "best matches first (full-text index)",
        "ilike": "newest first (text match; the full-text index is not built yet)",
        "none": "newest first",
    }[found.mode]
    count = f"{found.total:,}+" if found.capped else f"{found.total:,}"
    st.markdown(f"**{count} {'article' if found.total == 1 else 'articles'}** · {how}")
    if found.mode == "bm25" and caps is not None and caps.search_lag:
        st.caption(f"The {plural(caps.search_lag, 'newest article')} are not in the search index yet (next run).")
    if found.rows.empty:
        st.info("No article matches these filters.", icon=":material/search_off:")
    for row in found.rows.itertuples(index=False):
        with st.container(border=True):
            text, button = st.columns([8, 1], vertical_alignment="center")
            with text:
                dated = article_day(row.dated, row.date_source)
                meta = f"{md_escape(outlet_name(row.source))} · {dated} · {md_escape(row.language) or '?'}"
                st.markdown(f"**{md_escape(row.title) or '(untitled article)'}**  \n:gray[{meta}]")
                snippet = md_escape(" ".join(str(row.snippet or "").split())[:200])
                if snippet:
                    st.caption(snippet + " …")
            button.button("Read", key=f"read_{row.article_id}", on_click=open_article, args=(row.article_id,))
    pages = max(1, math.ceil(found.total / ARTICLES_PAGE))
    if pages > 1:
        prev_col, info, next_col = st.columns([1, 3, 1])
        prev_col.button(
            "← Newer" if found.mode != "bm25" else "← Previous",
            key="page_prev",
            disabled=page <= 1,
            on_click=lambda: st.session_state.update({page_key: page - 1}),
        )
        info.caption(f"Page {page} of {pages:,}{'+' if found.capped else ''}")
        next_col.button(
            "Older →" if found.mode != "bm25" else "Next →",
            key="page_next",
            disabled=page >= pages,
            on_click=lambda: st.session_state.update({page_key: page + 1}),
        )
    url_store("page", page, lambda p: None if p == 1 else str(p))


# --------------------------------------------------------------------------------------------------
# Data quality page
# --------------------------------------------------------------------------------------------------


def docs_path(value: Any, settings: Settings) -> str | None:
    """Where a Data Docs page is; relative paths are taken relative to the config file's folder."""
    if _missing(value) or not str(value).strip():
        return None
    text = str(value).strip()
    if "://" in text:
        return text
    return str(settings.path(text))


def docs_uri(path: str) -> str:
    """A browser-pasteable address for a Data Docs page."""
    return path if "://" in path else Path(path).as_uri()


def render_runs(runs: pd.DataFrame | None) -> None:
    st.subheader("Last runs")
    st.caption(
        "Each run collects new articles, tags people and places, checks data quality and raises alerts. "
        "“Data checks” says whether the new data passed the quality rules (Great Expectations)."
    )
    if runs is None:
        return
    if runs.empty:
        st.info("No runs recorded yet.")
        return
    table = pd.DataFrame(
        {
            "Started (UTC)": runs["started_at"],
            "Status": runs["status"].map(run_status),
            "Took (s)": runs["duration_seconds"],
            "Data checks": runs["validation_success"].map(validation_label),
            "New articles": runs["articles_new"],
            "Duplicates": runs["articles_duplicate"],
            "Quarantined": runs["articles_quarantined"],
            "Mentions": runs["mentions_new"],
            "Alerts": runs["alerts_new"],
            "Failed feeds": runs["feeds_failed"],
            "Message": runs["message"].fillna(""),
            "Run id": runs["run_id"],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Started (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Took (s)": st.column_config.NumberColumn(format="%.1f"),
        },
    )


def render_validations(validations: pd.DataFrame | None, settings: Settings) -> None:
    st.subheader("Data checks per run")
    st.caption("The latest result of each quality suite (one per table) for the most recently checked runs.")
    if validations is None:
        return
    if validations.empty:
        st.caption("No data-quality results recorded yet.")
        return
    docs = validations["data_docs"].map(lambda v: docs_path(v, settings))
    st.dataframe(
        pd.DataFrame(
            {
                "Run id": validations["run_id"],
                "Checked table": validations["suite"],
                "Result": validations["success"].map(validation_label),
                "Checks": validations["evaluated"],
                "Checks failed": validations["failed"],
                "Rows checked": validations["rows_checked"],
                "Rows failed": validations["rows_failed"],
                "Checked at (UTC)": validations["validated_at"],
                "Report (Data Docs)": docs,
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Checked at (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )
    latest_docs = next((d for d in docs if d), None)
    if latest_docs:
        st.caption(
            "The detailed data-quality report (Great Expectations Data Docs) is a web page on this "
            "computer. Copy this address into your browser's address bar to open it:"
        )
        st.code(docs_uri(latest_docs), language=None)
    else:
        st.caption("No Data Docs report was recorded (building them can be switched off in the config).")
    failed = validations[~validations["success"].astype(bool)]
    for row in failed.itertuples(index=False):
        with st.expander(f"Failed checks on {md_escape(row.suite)} (run {md_escape(row.run_id)})"):
            st.caption("Each entry is one quality rule and what it found.")
            st.json(row.result if isinstance(row.result, str) else "{}", expanded=1)


def render_quarantine(frame: pd.DataFrame | None, count: pd.DataFrame | None, reasons: pd.DataFrame | None) -> None:
    st.subheader("Quarantine")
    st.caption(
        "Inputs presswatch set aside instead of storing, with the reason. Nothing here was lost: fix the "
        "cause (or ignore it) and the next run picks the input up again. Stages: " + STAGE_HELP
    )
    if frame is None:
        return
    if frame.empty:
        st.success("Nothing in quarantine.", icon=":material/check_circle:")
        return
    total = int(count.iloc[0]["quarantined"]) if count is not None and not count.empty else len(frame)
    if reasons is not None and not reasons.empty:
        st.dataframe(
            pd.DataFrame(
                {
                    "Stage": reasons["stage"],
                    "Reason": reasons["reason"],
                    "Inputs": reasons["inputs"],
                    "Latest (UTC)": reasons["latest"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Latest (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
        )
    st.caption(f"Newest {len(frame)} of {total:,}:" if total > len(frame) else "All of them:")
    st.dataframe(
        pd.DataFrame(
            {
                "When (UTC)": frame["quarantined_at"],
                "Stage": frame["stage"],
                "Reason": frame["reason"],
                "Input": frame["input_ref"],
                "Content preview": frame["payload_preview"],
                "Run id": frame["run_id"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"When (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )


def render_feeds(feeds: pd.DataFrame | None) -> None:
    st.subheader("Feeds")
    st.caption(
        "The news feeds presswatch polls. **✓ healthy**: the last fetch worked. **⚠ backing off**: it failed "
        "recently; presswatch waits longer before each retry. **✗ failing**: it failed many times in a row "
        "or is gone; check the address or the outlet."
    )
    if feeds is None:
        return
    if feeds.empty:
        st.info("No feeds recorded yet (they appear after the first run that polls them).")
        return
    counts = feeds["status"].value_counts()
    cols = st.columns(3)
    for col, status in zip(cols, ("healthy", "backing off", "failing"), strict=True):
        col.metric(FEED_ICONS[status], int(counts.get(status, 0)), border=True)
    st.dataframe(
        pd.DataFrame(
            {
                "Feed": feeds["name"],
                "Status": feeds["status"].map(FEED_ICONS),
                "Failures in a row": feeds["consecutive_failures"],
                "Next try": [f"{ago(t)}" if not _missing(t) else "now" for t in feeds["next_due_at"]],
                "Last error": feeds["last_error"],
                "Last fetch (UTC)": feeds["last_fetched_at"],
                "New items last time": feeds["last_new_items"],
                "Address": feeds["url"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Last fetch (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )


def data_page() -> None:
    settings = get_settings()
    if settings is None:
        return
    status = page_top(
        "Data quality",
        "Whether the pipeline is healthy: its last runs, the data checks, what it set aside, and the feeds.",
    )
    b = Batch()
    panels = header_panel(b) | {
        "runs": lambda c: queries.last_runs(c, 20),
        "validations": lambda c: queries.validation_results(c, 10),
        "quarantine": lambda c: queries.quarantine(c, 100),
        "quarantine_count": queries.quarantine_count,
        "reasons": queries.quarantine_reasons,
        "feeds": queries.feed_health,
    }
    result = read(settings, ("data",), panels)
    fill_status(status, result)
    if not show_read_state(result, settings):
        return
    render_runs(result.get("runs"))
    st.divider()
    render_validations(result.get("validations"), settings)
    st.divider()
    render_quarantine(result.get("quarantine"), result.get("quarantine_count"), result.get("reasons"))
    st.divider()
    render_feeds(result.get("feeds"))
    st.divider()
    st.caption(f"Database: {md_escape(settings.db_path)}")


# --------------------------------------------------------------------------------------------------


PAGES: list[tuple[Callable[[], None], str, str, str]] = [
    (overview_page, "Overview", ":material/newspaper:", "overview"),
    (map_page, "Map", ":material/map:", "map"),
    (network_page, "Network", ":material/hub:", "network"),
    (articles_page, "Articles", ":material/search:", "articles"),
    (data_page, "Data quality", ":material/monitor_heart:", "data"),
]


def articles_page_link() -> Any:
    """The Articles page as `st.navigation` knows it (a page is found by its function and URL path)."""
    fn, title, icon, path = next(p for p in PAGES if p[3] == "articles")
    return st.Page(fn, title=title, icon=icon, url_path=path)


def run_page(path: str) -> None:
    """Render one page by its URL path without the navigation menu (tests, screenshots of one page)."""
    st.set_page_config(page_title=APP_TITLE, page_icon="📰", layout="wide")
    {p: fn for fn, _, _, p in PAGES}[path]()


def main() -> None:
    st.set_page_config(page_title=APP_TITLE, page_icon="📰", layout="wide")
    pages = [
        st.Page(fn, title=title, icon=icon, url_path=path, default=(path == "overview"))
        for fn, title, icon, path in PAGES
    ]
    nav = st.navigation(pages, position="sidebar")
    with st.sidebar:
        watch_for_new_data()
    nav.run()


if __name__ == "__main__":
    main()
