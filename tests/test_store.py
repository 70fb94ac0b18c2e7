"""The store's promises: one transaction per batch, reruns add nothing, clear errors."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from flows import store
from transforms.records import Article, Entity, Mention


def _article(n: int) -> Article:
    return Article(
        f"{n:016x}",
        f"https://example.org/{n}",
        f"Title {n}",
        f"Body {n} " * 20,
        None,
        datetime.now(UTC),
        "test",
        "en",
        f"{n:064x}",
    )


def _batch(run: str, n: int) -> store.LoadBatch:
    arts = [_article(i) for i in range(n)]
    ent = Entity("location:armenia", "location", "Armenia")
    mentions = [Mention(a.article_id, ent.entity_id, "Armenia", "body", 0, 7, 0) for a in arts]
    return store.LoadBatch(run_id=run, articles=arts, entities=[ent], mentions=mentions)


def _count(db, table):
    con = store.connect(db, read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_batch_is_stored_once(tmp_path):
    db = tmp_path / "x.duckdb"
    store.ensure_schema(db)
    assert store.load_batch(db, _batch("r1", 3)) == 3
    assert store.load_batch(db, _batch("r2", 3)) == 0
    assert (_count(db, "articles"), _count(db, "mentions"), _count(db, "entities")) == (3, 3, 1)


def test_children_are_written_only_for_the_articles_the_batch_inserts(tmp_path):
    """Mentions, story signatures and bands follow their article: a batch that mixes stored articles,
    a copy of a stored body under a new URL and new articles adds child rows for the new ones only,
    and the same batch again (a retry after its commit) counts the run's articles and adds nothing."""
    db = tmp_path / "x.duckdb"
    store.ensure_schema(db)

    def with_children(batch):
        batch.stories = [(a.article_id, a.article_id, [1] * 64, list(range(16))) for a in batch.articles]
        return batch

    assert store.load_batch(db, with_children(_batch("r1", 2))) == 2
    mixed = _batch("r2", 4)  # articles 0 and 1 are stored already
    copy = _article(99)
    mixed.articles.append(replace(copy, content_hash=mixed.articles[0].content_hash))  # same body, new URL
    mixed.mentions.append(Mention(copy.article_id, "location:armenia", "Armenia", "body", 0, 7, 0))
    assert store.load_batch(db, with_children(mixed)) == 2
    assert store.load_batch(db, with_children(mixed)) == 2  # retried in the same run: its two, once
    counts = [_count(db, t) for t in ("articles", "mentions", "story_signatures", "story_bands")]
    assert counts == [4, 4, 4, 4 * 16]


def test_failed_batch_leaves_nothing_behind(tmp_path):
    db = tmp_path / "x.duckdb"
    store.ensure_schema(db)
    batch = _batch("r1", 2)
    batch.sightings = [("x", None, "s")]  # url NOT NULL violated after articles were inserted
    with pytest.raises(Exception):  # noqa: B017 - any DuckDB constraint error
        store.load_batch(db, batch)
    assert _count(db, "articles") == 0 and _count(db, "mentions") == 0


def test_missing_database_folder_is_a_clear_error(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist"):
        store.connect(tmp_path / "nope" / "x.duckdb")


def test_second_run_lock_times_out_with_a_clear_message(tmp_path):
    db = tmp_path / "x.duckdb"
    # flock is per open file description: a second open in this process conflicts like another process
    with (
        store.run_lock(db, 1),
        pytest.raises(store.StoreError, match="another presswatch run"),
        store.run_lock(db, 0.3),
    ):
        pass


def test_appends_go_to_small_row_groups_so_each_batch_close_stays_cheap(tmp_path):
    """Closing a write connection checkpoints, and DuckDB rewrites the last row group of a table with
    a primary key: with its default 122,880-row groups that cost grew with the table (0.8 s and
    225 MB at 50,000 articles). Writes through the store keep row groups at WRITE_ROW_GROUP_SIZE,
    and the file stays readable by a plain DuckDB connection."""
    db = tmp_path / "x.duckdb"
    store.ensure_schema(db)
    per_batch = store.WRITE_ROW_GROUP_SIZE // 2 + 100
    for run in range(3):
        arts = [_article(run * per_batch + i) for i in range(per_batch)]
        assert store.load_batch(db, store.LoadBatch(run_id=f"r{run}", articles=arts)) == per_batch
    con = store.connect(db, read_only=True)
    try:
        groups = con.execute(
            "SELECT row_group_id, max(count) FROM pragma_storage_info('articles') GROUP BY ALL"
        ).fetchall()
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 3 * per_batch
    finally:
        con.close()
    assert len(groups) >= 2
    assert max(rows for _, rows in groups) <= store.WRITE_ROW_GROUP_SIZE
