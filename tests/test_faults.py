"""Nothing lost, nothing duplicated, nothing let in: crashes, concurrent runs, hostile and invalid input."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO, SEEDS, query, write_config

from flows.ingest import ingest
from flows.integrity import content_fingerprint, integrity_problems

sys.path.insert(0, str(REPO / "bench"))
import stress  # noqa: E402


def test_hostile_local_files_are_quarantined_one_row_each(tmp_path, prefect_harness):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / "000_7a535c253c1fb880.txt", src / "good.txt")
    secret = tmp_path / "secret.txt"
    secret.write_text("Top secret host file about Armenia and Russia, must never be read. " * 5)
    (src / "link-out.txt").symlink_to(secret)
    (src / "empty.txt").write_bytes(b"")
    (src / "nul.txt").write_bytes(b"headline\n\nbody \x00 with a NUL byte" * 10)
    (src / "noise.txt").write_bytes(bytes(random.Random(1).randrange(128, 256) for _ in range(5000)))
    (src / "long-line.txt").write_text("Headline\n\n" + "x" * 200_000)
    with open(src / "huge.txt", "wb") as fh:  # sparse 100 MB file: over the size cap, never read
        fh.truncate(100 * 1024 * 1024)
    summary = ingest(config=str(write_config(tmp_path, local=[str(src)])))
    db = tmp_path / "pw.duckdb"
    assert summary.new == 1
    reasons = dict(query(db, "SELECT regexp_extract(input_ref, '[^/]+$'), reason FROM quarantine"))
    assert set(reasons) == {"link-out.txt", "empty.txt", "nul.txt", "noise.txt", "long-line.txt", "huge.txt"}
    assert "outside the source directory" in reasons["link-out.txt"]
    assert "over the" in reasons["huge.txt"]
    assert "Top secret" not in str(query(db, "SELECT * FROM quarantine")) + str(query(db, "SELECT body FROM articles"))


def test_legacy_encoded_file_is_read(tmp_path, prefect_harness):
    src = tmp_path / "in"
    src.mkdir()
    text = (
        "Пашинян и Путин провели переговоры в Москве\n\nПремьер-министр Армении Никол Пашинян провел переговоры"
        " с президентом России Владимиром Путиным в Москве. Стороны обсудили отношения двух стран и ОДКБ."
    )
    (src / "cp1251.txt").write_bytes(text.encode("cp1251"))
    summary = ingest(config=str(write_config(tmp_path, local=[str(src)])))
    assert summary.new == 1
    title, language = query(tmp_path / "pw.duckdb", "SELECT title, language FROM articles")[0]
    assert title.startswith("Пашинян и Путин") and language == "ru"


def test_rows_that_fail_validation_are_quarantined_and_the_rest_stored(tmp_path, prefect_harness):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / "002_c3c427b7305100ec.txt", src / "good.txt")
    (src / "stub.txt").write_text("A headline\n\nToo short to be news.")
    summary = ingest(config=str(write_config(tmp_path, local=[str(src)])))
    db = tmp_path / "pw.duckdb"
    assert summary.new == 1 and summary.validation_success is False
    stage, reason = query(db, "SELECT stage, reason FROM quarantine")[0]
    assert stage == "validate" and "body" in reason and "expect_column_value_lengths_to_be_between" in reason
    assert query(db, "SELECT count(*) FROM validations WHERE NOT success")[0][0] >= 1


def test_wal_left_by_a_crash_is_recovered(tmp_path, prefect_harness):
    db = tmp_path / "pw.duckdb"
    crash = textwrap.dedent(
        f"""
        import os, duckdb
        con = duckdb.connect({str(db)!r})
        con.execute(open({str(REPO / "flows" / "schema.sql")!r}).read())
        con.execute("CHECKPOINT")
        con.execute("INSERT INTO articles (article_id, url, body, fetched_at) VALUES"
                    " ('00000000000000aa', 'https://x/a', 'body', now())")
        os._exit(0)  # no checkpoint, no close: the insert lives only in the WAL
        """
    )
    subprocess.run([sys.executable, "-c", crash], check=True, timeout=60)
    assert db.with_name(db.name + ".wal").exists()
    summary = ingest(config=str(write_config(tmp_path, local=[str(SEEDS)])))
    assert summary.new == 5
    assert query(db, "SELECT count(*) FROM articles")[0][0] == 6
    assert integrity_problems(db) == []


def test_killed_runs_lose_and_duplicate_nothing(tmp_path, cli_env, monkeypatch):
    """A few SIGKILL trials here; `python bench/stress.py --trials 20` runs the full stress."""
    monkeypatch.setenv("PREFECT_API_URL", cli_env["PREFECT_API_URL"])
    corpus = stress.make_corpus(tmp_path / "corpus", 12)
    config = stress.write_config(tmp_path, batch=3)
    stress.run_to_end(config, corpus, tmp_path / "reference.duckdb")
    reference = content_fingerprint(tmp_path / "reference.duckdb")
    rng = random.Random(3)
    for i in range(2):
        lost, duplicated = stress.trial(i, corpus, config, reference, rng, tmp_path)
        assert (lost, duplicated) == (0, 0)
    runs = query(tmp_path / "trial-0.duckdb", "SELECT status FROM runs ORDER BY started_at")
    assert runs[-1][0] == "completed"
    assert all(status in {"completed", "interrupted"} for (status,) in runs)


def test_two_runs_at_once_one_waits_and_the_data_stays_right(tmp_path, cli_env):
    config = write_config(tmp_path, local=[str(SEEDS)], extra="")
    config.write_text(config.read_text().replace("lock_timeout_seconds = 5", "lock_timeout_seconds = 300"))
    env = cli_env
    cmd = [sys.executable, "-m", "flows.cli", "run", "--config", str(config)]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    second = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    outs = [p.communicate(timeout=400)[0] for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outs
    news = sorted(int(o.split("articles: ")[1].split(" new")[0]) for o in outs)
    assert news == [0, 5]
    db = tmp_path / "pw.duckdb"
    assert query(db, "SELECT count(*) FROM articles")[0][0] == 5
    assert integrity_problems(db) == []


def test_second_run_gives_up_with_a_clear_message_when_the_lock_is_held(tmp_path, cli_env):
    from flows import store

    config = write_config(tmp_path, local=[str(SEEDS)])
    config.write_text(config.read_text().replace("lock_timeout_seconds = 5", "lock_timeout_seconds = 1"))
    env = cli_env
    with store.run_lock(tmp_path / "pw.duckdb", 1):
        result = subprocess.run(
            [sys.executable, "-m", "flows.cli", "run", "--config", str(config)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode != 0
    assert "another presswatch run is writing" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("bad", ["ftp://example.org/feed.xml", "file:///etc/passwd", "gopher://x"])
def test_only_http_feed_urls_are_fetched(tmp_path, prefect_harness, bad):
    summary = ingest(config=str(write_config(tmp_path, feeds=[bad])))
    assert summary.feeds_failed == 1 and summary.new == 0


def _closing_server(reset: bool):
    """A TCP server on 127.0.0.1 that accepts and drops every connection (RST when `reset`)."""
    import socket
    import struct
    import threading

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def serve():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            if reset:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return sock


def test_connection_reset_and_tls_errors_are_recorded_failures_and_other_feeds_still_come_in(httpserver):
    from datetime import UTC, datetime

    from flows.config import FetchConfig
    from flows.feeds import FeedState, fetch_feeds

    httpserver.expect_request("/good.xml").respond_with_data(
        (REPO / "tests" / "fixtures" / "feeds" / "rss20_basic.xml").read_bytes(), content_type="application/rss+xml"
    )
    resetting = _closing_server(reset=True)
    try:
        states = [
            FeedState(url=f"http://127.0.0.1:{resetting.getsockname()[1]}/feed.xml"),
            FeedState(url=f"https://127.0.0.1:{httpserver.port}/good.xml"),  # TLS to a plain-HTTP server
            FeedState(url=httpserver.url_for("/good.xml")),
        ]
        config = FetchConfig(
            allow_private_addresses=True, per_host_interval_seconds=0, connect_timeout=2, read_timeout=3
        )
        reset_result, tls_result, good = fetch_feeds(states, config, datetime.now(UTC), fetch_full_text=False)
    finally:
        resetting.close()
    for failed in (reset_result, tls_result):
        assert failed.error and failed.state.consecutive_failures == 1 and failed.state.next_due_at is not None
        assert "\n" not in failed.error
    assert good.error is None and good.articles
