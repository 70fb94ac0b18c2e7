"""presswatch dashboard (Streamlit).

Run:  streamlit run dashboards/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true

The database path comes only from ``flows.config.load_settings()`` (so PRESSWATCH_DB / PRESSWATCH_CONFIG
apply). Every page load reads the database read-only in one short batch (see ``dashboards/db.py``).

Untrusted text (article titles, evidence, sources, URLs) is never rendered as HTML or Markdown as-is:
``md_escape`` turns it into inert text, and the only HTML we add is ``<mark>`` around matched names.

To add a page later: write a function that renders it and append ``st.Page(fn, title=...)`` to ``PAGES``
in ``main``; the sidebar menu appears by itself once there is more than one page.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

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

# URL value -> (label, days); None days = all time. The choice is kept in the URL as ?period=...
PERIODS: dict[str, tuple[str, int | None]] = {
    "7d": ("Last 7 days", 7),
    "30d": ("Last 30 days", 30),
    "90d": ("Last 90 days", 90),
    "all": ("All time", None),
}
DEFAULT_PERIOD = "all"

ALERT_CARDS = 10
TOP_N = 15

STATUS_ICONS = {"completed": "✅", "failed": "❌", "running": "⏳"}
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


def safe_link(url: Any) -> str | None:
    """An http(s) URL made safe for a Markdown link target, else None (javascript:, file:, junk)."""
    if not isinstance(url, str) or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#@!$&*+,;=%~.-_")


def as_list(value: Any) -> list[str]:
    if value is None or isinstance(value, str | float):
        return [value] if isinstance(value, str) else []
    return [str(v) for v in value if v is not None]


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


def ago(ts: Any, now: datetime | None = None) -> str:
    if _missing(ts):
        return ""
    seconds = ((now or datetime.now(UTC)) - _utc(ts).to_pydatetime()).total_seconds()
    if seconds < 0:
        return "in the future"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def run_status(status: Any) -> str:
    if _missing(status):
        return "never run"
    return f"{STATUS_ICONS.get(str(status), '•')} {status}"


def validation_label(success: Any) -> str:
    if _missing(success):
        return "— not checked"
    return "✅ passed" if bool(success) else "⚠️ problems found"


# --------------------------------------------------------------------------------------------------
# Period filter (kept in the URL)
# --------------------------------------------------------------------------------------------------


def period_filter() -> str:
    """The period radio, initialised from ?period=... and written back to it."""
    in_url = st.query_params.get("period")
    if in_url in PERIODS and in_url != st.session_state.get("_period_in_url"):
        st.session_state["period"] = in_url  # first visit, or the user edited the URL
    elif st.session_state.get("period") not in PERIODS:
        st.session_state["period"] = DEFAULT_PERIOD
    choice = st.radio(
        "Period",
        list(PERIODS),
        format_func=lambda key: PERIODS[key][0],
        key="period",
        horizontal=True,
        help="Counts, charts, top lists and alerts cover articles dated in this period "
        "(publication date, or the day presswatch fetched the article when it had no date).",
    )
    if st.query_params.get("period") != choice:
        st.query_params["period"] = choice
    st.session_state["_period_in_url"] = choice
    return choice


# --------------------------------------------------------------------------------------------------
# Overview page
# --------------------------------------------------------------------------------------------------


def overview_panels(since: datetime | None) -> dict[str, Any]:
    return {
        "headline": lambda c: queries.headline_counts(c, since),
        "per_day": lambda c: queries.articles_per_day(c, since),
        "actors": lambda c: queries.top_actors(c, since, TOP_N),
        "locations": lambda c: queries.top_locations(c, since, TOP_N),
        "alerts": lambda c: queries.latest_alerts(c, since, 50),
        "runs": lambda c: queries.last_runs(c, 10),
        "validations": lambda c: queries.validation_results(c, 5),
        "quarantine": lambda c: queries.quarantine(c, 100),
        "quarantine_count": queries.quarantine_count,
    }


def reload_button(key: str) -> None:
    st.button("Reload now", key=key, help="Read the database again.")


def show_read_state(result: db.ReadResult, settings: Settings) -> bool:
    """Notices for the database state; False when there is nothing to show."""
    where = f"Database: {md_escape(settings.db_path)}"
    if result.state in ("missing", "empty"):
        st.info(db.NO_DATA_MESSAGE, icon="📭")
        st.caption(f"Looked for the database at {md_escape(settings.db_path)}")
        return False
    if result.state == "busy":
        st.info(db.BUSY_NOTICE, icon="🔄")
        reload_button("reload_busy")
        return False
    if result.state == "unreadable":
        st.warning(
            f"The database file could not be read: {md_escape(result.detail)}. "
            "If presswatch is running right now, reload in a few seconds.",
            icon="⚠️",
        )
        st.caption(where)
        reload_button("reload_unreadable")
        return False
    if result.state == "snapshot":
        st.info(
            f"{db.SNAPSHOT_NOTICE} (read {ago(result.read_at)}, {fmt_time(result.read_at)}).",
            icon="🔄",
        )
    if result.problems:
        st.caption(
            "Some panels are not available for this database (it may predate this dashboard): "
            + ", ".join(md_escape(p) for p in result.problems)
        )
    return True


def render_header(headline: pd.DataFrame | None, period: str) -> None:
    if headline is None or headline.empty:
        return
    row = headline.iloc[0]
    label, days = PERIODS[period]
    col1, col2, col3 = st.columns(3)
    col1.metric(
        "Articles stored" if days is None else f"Articles · {label.lower()}",
        int(row["articles"]),
        help=f"{int(row['articles_total'])} articles stored in total.",
        border=True,
    )
    col2.metric(
        "Unacknowledged alerts",
        int(row["alerts_unacknowledged"]),
        help="Alerts nobody has marked as seen yet, for articles in the chosen period. "
        f"{int(row['alerts_total'])} alerts in total.",
        border=True,
    )
    last = row["last_run_finished_at"] if not _missing(row["last_run_finished_at"]) else None
    when = last if last is not None else row["last_run_started_at"]
    col3.metric(
        "Last run",
        run_status(row["last_run_status"]),
        help="The most recent time the pipeline collected and checked articles.",
        border=True,
    )
    if not _missing(when):
        verb = "finished" if last is not None else "started"
        col3.caption(f"{verb} {ago(when)} · {fmt_time(when)}")


def render_trend(per_day: pd.DataFrame | None) -> None:
    st.subheader("Articles over time")
    st.caption(
        "How many articles were published each day (UTC). The red part of each bar is articles that "
        "raised an Armenia–Russia alert."
    )
    if per_day is None:
        return
    if per_day.empty:
        st.info("No articles in this period.", icon="📭")
        return
    chart = pd.DataFrame(
        {
            "Day": pd.to_datetime(per_day["day"]),
            "Armenia–Russia alert": per_day["alert_articles"].astype(int),
            "Other articles": (per_day["articles"] - per_day["alert_articles"]).astype(int),
        }
    )
    st.bar_chart(
        chart,
        x="Day",
        y=["Armenia–Russia alert", "Other articles"],
        color=["#d62728", "#9ecae1"],
        stack=True,
        x_label="Day",
        y_label="Articles",
    )


def render_top(title: str, caption: str, frame: pd.DataFrame | None, name_label: str) -> None:
    st.subheader(title)
    st.caption(caption)
    if frame is None:
        return
    if frame.empty:
        st.info("Nobody found in this period." if name_label == "Person" else "None found in this period.")
        return
    columns = ["name", "articles"] + (["country_code"] if name_label == "Place" else [])
    st.dataframe(
        frame[columns],
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn(name_label),
            "articles": st.column_config.ProgressColumn(
                "Articles",
                format="%d",
                min_value=0,
                max_value=max(int(frame["articles"].max()), 1),
                help="Number of different articles that mention it.",
            ),
            "country_code": st.column_config.TextColumn("Country", width="small"),
        },
    )


def render_alerts(alerts: pd.DataFrame | None) -> None:
    st.subheader("Latest alerts")
    st.caption(
        "Articles where presswatch found Armenia and Russia linked in the same passage. The quoted "
        "evidence is the passage that triggered the alert; the names it matched are highlighted."
    )
    if alerts is None:
        return
    if alerts.empty:
        st.info("No alerts in this period.", icon="🔕")
        return
    for row in alerts.head(ALERT_CARDS).itertuples(index=False):
        with st.container(border=True):
            title = md_escape(row.title) or "(untitled article)"
            link = safe_link(row.url)
            line = f"**{title}**"
            if link:
                line += f" · [open article ↗]({link})"
            st.markdown(line)
            origin = row.source if link or _missing(row.url) else row.url
            if not _missing(origin) and str(origin).strip():
                st.caption(f"Source: {md_escape(origin)}")
            if not _missing(row.evidence) and str(row.evidence).strip():
                terms = as_list(row.highlight_terms) + as_list(row.matched_entities)
                st.markdown(f"> “{highlight(row.evidence, terms)}”", unsafe_allow_html=True)
            ack = (
                f"acknowledged {fmt_time(row.acknowledged_at)}"
                if not _missing(row.acknowledged_at)
                else "**not yet acknowledged**"
            )
            score = "" if _missing(row.score) else f" · score {float(row.score):.2f}"
            st.caption(
                f"Rule {md_escape(row.rule)}{score} · raised {ago(row.created_at)} ({fmt_time(row.created_at)}) · {ack}"
            )
            names = as_list(row.matched_names) or as_list(row.matched_entities)
            if names:
                st.caption("Matched: " + ", ".join(md_escape(n) for n in names))
    if len(alerts) > ALERT_CARDS:
        with st.expander(f"All {len(alerts)} latest alerts as a table"):
            table = alerts[["created_at", "rule", "title", "source", "url", "score", "acknowledged_at"]]
            st.dataframe(
                table,
                hide_index=True,
                column_config={
                    "created_at": st.column_config.DatetimeColumn("Raised (UTC)", format="YYYY-MM-DD HH:mm"),
                    "rule": "Rule",
                    "title": "Article",
                    "source": "Source",
                    "url": st.column_config.LinkColumn("Link"),
                    "score": st.column_config.NumberColumn("Score", format="%.2f"),
                    "acknowledged_at": st.column_config.DatetimeColumn("Acknowledged (UTC)", format="YYYY-MM-DD HH:mm"),
                },
            )


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


def render_runs(runs: pd.DataFrame | None, validations: pd.DataFrame | None, settings: Settings) -> None:
    st.subheader("Pipeline runs and data checks")
    st.caption(
        "Each run collects new articles, tags people and places, checks data quality and raises alerts. "
        "“Data checks” shows whether the stored data passed the quality rules (Great Expectations)."
    )
    if runs is not None:
        if runs.empty:
            st.info("No runs recorded yet.")
        else:
            table = pd.DataFrame(
                {
                    "Started (UTC)": runs["started_at"],
                    "Status": runs["status"].map(run_status),
                    "Data checks": runs["validation_success"].map(validation_label),
                    "New articles": runs["articles_new"],
                    "Duplicates": runs["articles_duplicate"],
                    "Quarantined": runs["articles_quarantined"],
                    "Mentions": runs["mentions_new"],
                    "Alerts": runs["alerts_new"],
                    "Failed feeds": runs["feeds_failed"],
                    "Duration (s)": runs["duration_seconds"],
                    "Message": runs["message"],
                    "Run id": runs["run_id"],
                }
            )
            st.dataframe(
                table,
                hide_index=True,
                column_config={
                    "Started (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                    "Duration (s)": st.column_config.NumberColumn(format="%.1f"),
                },
            )
    if validations is None:
        return
    st.markdown("**Latest data checks per run**")
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


def render_quarantine(frame: pd.DataFrame | None, count: pd.DataFrame | None) -> None:
    st.subheader("Quarantine")
    st.caption(
        "Inputs presswatch set aside instead of storing, with the reason. Nothing here was lost: fix the "
        "cause (or ignore it) and the next run picks the input up again. Stages: " + STAGE_HELP
    )
    if frame is None:
        return
    if frame.empty:
        st.success("Nothing in quarantine.", icon="✅")
        return
    total = int(count.iloc[0]["quarantined"]) if count is not None and not count.empty else len(frame)
    if total > len(frame):
        st.caption(f"Showing the newest {len(frame)} of {total}.")
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
        column_config={"When (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )


def overview_page() -> None:
    st.set_page_config(page_title=APP_TITLE, page_icon="📰", layout="wide")
    st.title(APP_TITLE)
    st.caption(
        "What the news monitor collected, which people and places it found, what it flagged as "
        "Armenia–Russia coverage, and whether its last runs were healthy."
    )
    try:
        settings = load_settings()
    except ConfigError as exc:
        st.error(f"The presswatch settings could not be loaded: {md_escape(exc)}")
        return
    period = period_filter()
    since = queries.period_start(PERIODS[period][1])
    result = db.read_panels(settings.db_path, ("overview", period), overview_panels(since), prepare=queries.prepare)
    if not show_read_state(result, settings):
        return

    render_header(result.get("headline"), period)
    st.divider()
    render_trend(result.get("per_day"))
    left, right = st.columns(2)
    with left:
        render_top(
            "Top people",
            "People named in the most articles in this period.",
            result.get("actors"),
            "Person",
        )
    with right:
        render_top(
            "Top places",
            "Places named in the most articles in this period.",
            result.get("locations"),
            "Place",
        )
    st.divider()
    render_alerts(result.get("alerts"))
    st.divider()
    render_runs(result.get("runs"), result.get("validations"), settings)
    st.divider()
    render_quarantine(result.get("quarantine"), result.get("quarantine_count"))
    st.divider()
    st.caption(f"Read from {md_escape(settings.db_path)} at {fmt_time(result.read_at)}.")
    reload_button("reload_footer")


def main() -> None:
    pages = [st.Page(overview_page, title="Overview", icon="📰", url_path="overview", default=True)]
    st.navigation(pages, position="sidebar" if len(pages) > 1 else "hidden").run()


if __name__ == "__main__":
    main()
