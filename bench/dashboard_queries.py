"""Time every dashboard panel query on a database and print p50/p95 per query.

    .venv/bin/python bench/make_big_db.py --articles 1000000 --out /tmp/big.duckdb
    .venv/bin/python bench/dashboard_queries.py --db /tmp/big.duckdb

Each query runs ``--runs`` times (default 20) through the same functions the dashboard calls
(``dashboards/queries.py``), on one read-only connection ("warm": the panels of one page load after the
first), then each on a newly opened connection with nothing else open ("fresh": open + session settings
+ query, what the first panel of a page load pays - the app opens one short connection per page load so
a run can write between loads). The budget is 200 ms p95 per panel query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboards import queries as q  # noqa: E402

BUDGET_MS = 200.0


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=True)
    q.prepare(con)
    return con


def panel_queries(
    con: duckdb.DuckDBPyConnection,
) -> list[tuple[str, str, Callable[[duckdb.DuckDBPyConnection], object]]]:
    """(page, label, function of a connection) for every query the dashboard runs."""
    caps = q.capabilities(con)
    d7, d30, d90 = q.period_start(7), q.period_start(30), q.period_start(90)
    p7, p30 = q.previous_start(7), q.previous_start(30)
    ranked = con.execute(
        "SELECT entity_id FROM entities e"
        " JOIN (SELECT entity_id, count(*) n FROM mentions GROUP BY ALL) USING (entity_id)"
        " ORDER BY n DESC"
    ).fetchall()
    top_entity = ranked[0][0]
    mid_entity = ranked[min(200, len(ranked) - 1)][0]
    newest = con.execute("SELECT article_id FROM articles ORDER BY fetched_at DESC LIMIT 1").fetchone()[0]
    source, language = con.execute(
        "SELECT source, language FROM articles GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    rule = con.execute("SELECT rule FROM alerts GROUP BY rule ORDER BY count(*) DESC LIMIT 1").fetchone()
    rule = rule[0] if rule else q.ALERT_RULE
    common_word = "pressure"  # in ~60% of the generated bodies: the worst case for ranking
    name_word = con.execute(
        "SELECT split_part(name, ' ', -1) FROM entities WHERE entity_id = $e", {"e": mid_entity}
    ).fetchone()[0]
    F = q.ArticleFilters
    return [
        ("every page", "open + settings + capabilities", lambda c: q.capabilities(c)),
        ("every page", "header counts", lambda c: q.header_counts(c)),
        ("every page", "auto-refresh check (data version)", lambda c: q.data_version(c)),
        ("overview", "period counts, last 7 days vs previous", lambda c: q.period_counts(c, d7, p7)),
        ("overview", "open alerts (20, with outlets and names)", lambda c: q.open_alerts(c, 20, 0, caps)),
        ("overview", "all open alert ids (acknowledge all)", lambda c: q.open_alert_ids(c)),
        ("overview", "articles per hour, last 7 days", lambda c: q.articles_over_time(c, d7, rule, "hour", caps)),
        ("overview", "articles per day, all time", lambda c: q.articles_over_time(c, None, rule, "day", caps)),
        (
            "overview",
            "top people, last 30 days vs previous",
            lambda c: q.top_actors(c, d30, 15, prev_since=p30, caps=caps),
        ),
        (
            "overview",
            "top places, last 7 days vs previous",
            lambda c: q.top_locations(c, d7, 15, prev_since=p7, caps=caps),
        ),
        ("overview", "top people, all time", lambda c: q.top_actors(c, None, 15, caps=caps)),
        ("map", "places with coordinates, last 30 days", lambda c: q.map_locations(c, d30, caps=caps)),
        ("map", "places with coordinates, all time", lambda c: q.map_locations(c, None, caps=caps)),
        ("map", "places without coordinates, last 30 days", lambda c: q.unmapped_locations(c, d30, caps=caps)),
        ("network", "co-mentions, last 7 days", lambda c: q.co_mentions(c, d7, caps=caps)),
        ("network", "co-mentions, last 90 days", lambda c: q.co_mentions(c, d90, caps=caps)),
        ("network", "co-mentions, all time", lambda c: q.co_mentions(c, None, caps=caps)),
        ("articles", "filter choices (sources, languages, entities)", lambda c: q.filter_options(c, caps)),
        ("articles", "newest 25, no filter", lambda c: q.search_articles(c, F(), caps=caps)),
        (
            "articles",
            "source + language + last 30 days",
            lambda c: q.search_articles(c, F(source=source, language=language, date_from=d30.date()), caps=caps),
        ),
        (
            "articles",
            f"entity filter, top entity ({top_entity})",
            lambda c: q.search_articles(c, F(entity_id=top_entity), caps=caps),
        ),
        (
            "articles",
            f"entity filter, rank-200 entity ({mid_entity})",
            lambda c: q.search_articles(c, F(entity_id=mid_entity), caps=caps),
        ),
        (
            "articles",
            f"search '{name_word}' (a rank-200 name)",
            lambda c: q.search_articles(c, F(text=name_word), caps=caps),
        ),
        (
            "articles",
            "search 'Pashinyan' (in ~30% of articles)",
            lambda c: q.search_articles(c, F(text="Pashinyan"), caps=caps),
        ),
        (
            "articles",
            f"search 'Pashinyan {name_word}' + last 30 days",
            lambda c: q.search_articles(c, F(text=f"Pashinyan {name_word}", date_from=d30.date()), caps=caps),
        ),
        (
            "articles",
            f"search '{common_word}' (worst case, ~60%)",
            lambda c: q.search_articles(c, F(text=common_word), caps=caps),
        ),
        ("articles", "article view (body + mentions + alerts)", lambda c: q.article_detail(c, newest)),
        ("data", "last 20 runs", lambda c: q.last_runs(c, 20)),
        ("data", "validations of the last 10 runs", lambda c: q.validation_results(c, 10)),
        ("data", "quarantine (newest 100 + count)", lambda c: (q.quarantine(c, 100), q.quarantine_count(c))),
        ("data", "quarantine reasons", lambda c: q.quarantine_reasons(c)),
        ("data", "feed health", lambda c: q.feed_health(c)),
    ]


def time_query(
    fn: Callable[[duckdb.DuckDBPyConnection], object], con: duckdb.DuckDBPyConnection, runs: int
) -> list[float]:
    fn(con)  # first run outside the sample: query planning caches, OS page cache
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(con)
        out.append((time.perf_counter() - t) * 1000)
    return out


def time_fresh(fn: Callable[[duckdb.DuckDBPyConnection], object], path: Path, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        con = connect(path)
        try:
            fn(con)
        finally:
            con.close()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-fresh", action="store_true", help="skip the fresh-connection timings")
    parser.add_argument("--only", default="", help="only queries whose label contains this text")
    args = parser.parse_args(argv)
    con = connect(args.db)
    caps = q.capabilities(con)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}; duckdb {duckdb.__version__}")
    print(
        f"database {args.db}: {caps.articles:,} articles, "
        f"{con.execute('SELECT count(*) FROM mentions').fetchone()[0]:,} mentions; "
        f"summaries {'yes' if caps.summaries else 'no'}, search index {'yes' if caps.search_index else 'no'}; "
        f"{args.runs} runs per query"
    )
    rows = []
    selected = [q for q in panel_queries(con) if not args.only or args.only.lower() in q[1].lower()]
    for page, label, fn in selected:
        warm = time_query(fn, con, args.runs)
        rows.append((page, label, warm, []))
        over = " over" if percentile(warm, 95) > BUDGET_MS else ""
        print(
            f"  {page:<10} {label:<52} p50 {statistics.median(warm):7.1f}  p95 {percentile(warm, 95):7.1f} ms{over}",
            flush=True,
        )
    con.close()  # fresh timings: no other connection keeps DuckDB's database instance (and its cache) alive
    if not args.no_fresh:
        print("fresh connections (open + settings + query, nothing else open):", flush=True)
        for row, (_, label, fn) in zip(rows, selected, strict=True):
            row[3].extend(time_fresh(fn, args.db, args.runs))
            print(
                f"  {label:<63} p50 {statistics.median(row[3]):7.1f}  p95 {percentile(row[3], 95):7.1f} ms", flush=True
            )
    print()
    print("| page | query | p50 ms | p95 ms | fresh conn. p50 ms | fresh conn. p95 ms |")
    print("|---|---|---:|---:|---:|---:|")
    for page, label, warm, fresh in rows:
        f50 = f"{statistics.median(fresh):.1f}" if fresh else "-"
        f95 = f"{percentile(fresh, 95):.1f}" if fresh else "-"
        print(f"| {page} | {label} | {statistics.median(warm):.1f} | {percentile(warm, 95):.1f} | {f50} | {f95} |")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    worst = max(rows, key=lambda r: percentile(r[2], 95)) if rows else None
    if worst:
        print(f"\nslowest p95: {worst[1]} {percentile(worst[2], 95):.1f} ms (budget {BUDGET_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
