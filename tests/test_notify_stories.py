"""Alerts reach notification targets exactly once; copies of a story raise one alert; spikes."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

from conftest import SEEDS, query, write_config
from werkzeug.wrappers import Response

from flows.alerting import raise_spike_alerts
from flows.ingest import ingest


def _two_seeds(folder):
    src = folder / "in"
    src.mkdir()
    for name in ("002_c3c427b7305100ec.txt", "004_cd7da63109fc39ea.txt"):
        shutil.copy(SEEDS / name, src / name)
    return src


def test_each_alert_is_notified_once_even_across_reruns(tmp_path, httpserver, prefect_harness):
    received = []

    def hook(request):
        received.append(json.loads(request.data))
        return Response("ok", 200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(hook)
    target = f"json://127.0.0.1:{httpserver.port}/hook"
    config = write_config(tmp_path, local=[str(_two_seeds(tmp_path))], alerts_extra=f'notify = ["{target}"]')
    first = ingest(config=str(config))
    assert first.alerts == 2 and first.notifications_sent == 2
    assert len(received) == 2
    assert any("Border Crisis" in m["title"] for m in received)
    assert all("armenia-russia" in m["title"] for m in received)
    again = ingest(config=str(config))
    assert again.notifications_sent == 0 and len(received) == 2
    statuses = query(tmp_path / "pw.duckdb", "SELECT status, attempts FROM notifications")
    assert statuses == [("sent", 1), ("sent", 1)]
    # the URL carries secrets in real use: it is never stored
    assert str(httpserver.port) not in json.dumps(
        query(tmp_path / "pw.duckdb", "SELECT * FROM notifications"), default=str
    )


def test_failing_target_keeps_the_alert_and_is_retried_next_run(tmp_path, httpserver, prefect_harness):
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=500)
    target = f"json://127.0.0.1:{httpserver.port}/hook"
    config = write_config(tmp_path, local=[str(_two_seeds(tmp_path))], alerts_extra=f'notify = ["{target}"]')
    first = ingest(config=str(config))
    db = tmp_path / "pw.duckdb"
    assert first.alerts == 2 and first.notifications_sent == 0 and len(first.notification_errors) == 2
    assert query(db, "SELECT count(*) FROM alerts")[0][0] == 2
    assert {r[0] for r in query(db, "SELECT status FROM notifications")} == {"failed"}
    httpserver.clear()
    received = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: received.append(1) or Response("ok", 200)
    )
    second = ingest(config=str(config))
    assert second.notifications_sent == 2 and len(received) == 2
    third = ingest(config=str(config))
    assert third.notifications_sent == 0 and len(received) == 2


def test_syndicated_copy_joins_the_story_and_raises_no_second_alert(tmp_path, prefect_harness):
    src = tmp_path / "in"
    src.mkdir()
    original = (SEEDS / "004_cd7da63109fc39ea.txt").read_text(encoding="utf-8")
    (src / "a-original.txt").write_text(original, encoding="utf-8")
    edited = original.replace("early Tuesday", "early on Tuesday").replace("about 50 people", "some 50 people")
    (src / "b-copy.txt").write_text(edited + "\n\nReporting by a wire service.", encoding="utf-8")
    summary = ingest(config=str(write_config(tmp_path, local=[str(src)])))
    db = tmp_path / "pw.duckdb"
    assert summary.new == 2 and summary.alerts == 1
    stories = query(db, "SELECT DISTINCT story_id FROM articles")
    assert len(stories) == 1
    assert query(db, "SELECT story_id FROM alerts") == stories


def test_different_stories_stay_apart(seeded):
    _config, db, _summary = seeded
    assert query(db, "SELECT count(DISTINCT story_id) FROM articles")[0][0] == 5


def test_spike_alert_when_coverage_jumps(tmp_path):
    from flows import store

    db = tmp_path / "x.duckdb"
    store.ensure_schema(db)
    now = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    con = store.connect(db)
    rows = [(f"{i:016x}", now - timedelta(days=6, hours=i)) for i in range(2)]  # quiet baseline
    rows += [(f"{100 + i:016x}", now - timedelta(minutes=10 * i)) for i in range(6)]  # the burst
    for aid, t in rows:
        con.execute(
            "INSERT INTO articles (article_id, url, body, fetched_at, published_at, story_id)"
            " VALUES ($1, $2, 'b', $3, $3, $1)",
            [aid, f"https://x/{aid}", t],
        )
        con.execute(
            "INSERT INTO alerts (alert_id, rule, article_id, created_at, story_id) VALUES ($1, 'r', $1, $2, $1)",
            [aid, t],
        )
    con.close()
    spikes = raise_spike_alerts(db, ["r"], 6, 7, 3.0, 5, now=now)
    assert len(spikes) == 1 and spikes[0].count == 6
    assert raise_spike_alerts(db, ["r"], 6, 7, 3.0, 5, now=now) == []  # once per window
    assert query(db, "SELECT count(*) FROM alerts WHERE rule = 'spike:r'")[0][0] == 1


def test_no_spike_without_history(tmp_path):
    from flows import store

    db = tmp_path / "x.duckdb"
    store.ensure_schema(db)
    assert raise_spike_alerts(db, ["r"], 6, 7, 3.0, 5) == []


def test_story_signatures_stay_comparable_with_stored_ones():
    """Signatures are stored: a change of hashing would split every later copy from its story."""
    from transforms.stories import minhash

    text = (
        "Armenian Prime Minister Nikol Pashinyan met Vladimir Putin in Moscow on Tuesday. "
        "The two leaders discussed the 102nd military base in Gyumri."
    )
    # values of the signature as presswatch has stored them since story clustering began
    assert minhash(text)[:8] == [339239095, 45641699, 67796924, 26213605, 128771760, 89342864, 730500348, 19124239]
    assert minhash("Ünïcode ß straße")[:4] == [1167555129, 689282721, 1795100355, 3652269075]
    assert minhash("")[:4] == [1603512056, 2265537398, 504982744, 1099582800]
    russian = "Премьер-министр Армении Никол Пашинян провёл переговоры с Владимиром Путиным в Москве. ЁЛКА"
    assert minhash(russian)[:6] == [932214514, 172135104, 795598664, 235060806, 247530122, 308563135]
    assert all(type(v) is int for v in minhash(text))
