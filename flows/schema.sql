-- presswatch DuckDB schema: the contract other tools query. Applied idempotently on every run.

CREATE TABLE IF NOT EXISTS articles (
    article_id   VARCHAR PRIMARY KEY,      -- sha256 of the canonical URL, first 16 hex chars
    url          VARCHAR NOT NULL,         -- canonical URL; file:// URI for local files
    title        VARCHAR,
    body         VARCHAR,
    published_at TIMESTAMPTZ,
    fetched_at   TIMESTAMPTZ NOT NULL,
    source       VARCHAR,                  -- feed URL or local source directory
    language     VARCHAR,                  -- ISO 639-1 code
    content_hash VARCHAR,                  -- sha256 of normalised title+body: same text under another URL is a duplicate
    extractor    VARCHAR,                  -- what produced the body: txt, trafilatura, feed-summary, ...
    flags        VARCHAR[],                -- data caveats, e.g. no_date, summary_only
    run_id       VARCHAR,
    story_id     VARCHAR                   -- article_id of the first article of its story (near-duplicate cluster)
);

CREATE TABLE IF NOT EXISTS entities (
    entity_id    VARCHAR PRIMARY KEY,      -- Wikidata QID when known, else kind:slug
    kind         VARCHAR NOT NULL,         -- actor | location | organization
    name         VARCHAR NOT NULL,         -- canonical English name (English Wikipedia title)
    country_code VARCHAR,
    latitude     DOUBLE,
    longitude    DOUBLE,
    wikidata_id  VARCHAR
);

CREATE TABLE IF NOT EXISTS mentions (
    article_id   VARCHAR NOT NULL,
    entity_id    VARCHAR NOT NULL,
    surface      VARCHAR,                  -- the text as written
    start_char   INTEGER,                  -- offsets into articles.title or articles.body (see field)
    end_char     INTEGER,
    field        VARCHAR,                  -- title | body
    sentence     INTEGER                   -- sentence index in title+body
);

CREATE TABLE IF NOT EXISTS alerts (
    alert_id         VARCHAR PRIMARY KEY,
    rule             VARCHAR NOT NULL,
    article_id       VARCHAR NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    evidence         VARCHAR,              -- evidence sentence(s)
    score            DOUBLE,
    matched_entities VARCHAR[],
    evidence_spans   JSON,                 -- [[start, end], ...] offsets into title + '\n\n' + body
    acknowledged_at  TIMESTAMPTZ,
    story_id         VARCHAR               -- one alert per rule and story: later copies attach to it
);

-- MinHash signature and LSH band keys of every stored article, to find copies of a story.
CREATE TABLE IF NOT EXISTS story_signatures (
    article_id VARCHAR PRIMARY KEY,
    story_id   VARCHAR NOT NULL,
    signature  UINTEGER[]
);
CREATE TABLE IF NOT EXISTS story_bands (
    band       SMALLINT NOT NULL,
    band_key   BIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);

-- Notifications sent (or attempted) per alert and target; a target is an Apprise URL, stored hashed.
CREATE TABLE IF NOT EXISTS notifications (
    alert_id    VARCHAR NOT NULL,
    target      VARCHAR NOT NULL,          -- sha256 prefix of the Apprise URL (URLs carry secrets)
    status      VARCHAR NOT NULL,          -- sent | failed
    attempts    INTEGER NOT NULL,
    last_error  VARCHAR,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (alert_id, target)
);

CREATE TABLE IF NOT EXISTS sightings (
    article_id VARCHAR NOT NULL,           -- the stored article this input duplicated
    url        VARCHAR NOT NULL,
    source     VARCHAR,
    seen_at    TIMESTAMPTZ NOT NULL,
    run_id     VARCHAR
);

-- Local files already read, by size and modification time: an unchanged file is not read again
-- (recorded in the same transaction as the batch that read it, so a killed run re-reads it).
CREATE TABLE IF NOT EXISTS local_files (
    path     VARCHAR PRIMARY KEY,          -- resolved absolute path
    size     BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    read_at  TIMESTAMPTZ NOT NULL,
    run_id   VARCHAR
);

CREATE TABLE IF NOT EXISTS runs (
    run_id             VARCHAR PRIMARY KEY,
    flow_run_id        VARCHAR,
    started_at         TIMESTAMPTZ NOT NULL,
    finished_at        TIMESTAMPTZ,
    status             VARCHAR NOT NULL,   -- running | completed | failed
    sources            VARCHAR[],
    articles_new       INTEGER DEFAULT 0,
    articles_duplicate INTEGER DEFAULT 0,
    articles_quarantined INTEGER DEFAULT 0,
    mentions_new       INTEGER DEFAULT 0,
    alerts_new         INTEGER DEFAULT 0,
    feeds_failed       INTEGER DEFAULT 0,
    validation_success BOOLEAN,
    message            VARCHAR
);

CREATE TABLE IF NOT EXISTS quarantine (
    input_ref      VARCHAR NOT NULL,       -- path, URL or feed item reference
    stage          VARCHAR NOT NULL,       -- load | fetch | parse | clean | validate | tag
    reason         VARCHAR NOT NULL,
    payload        VARCHAR,                -- raw text (truncated) or path
    quarantined_at TIMESTAMPTZ NOT NULL,
    run_id         VARCHAR
);

CREATE TABLE IF NOT EXISTS validations (
    run_id        VARCHAR NOT NULL,
    suite         VARCHAR NOT NULL,        -- expectation suite name (= table it guards)
    success       BOOLEAN NOT NULL,
    evaluated     INTEGER,                 -- expectations evaluated
    failed        INTEGER,                 -- expectations that failed
    rows_checked  INTEGER,
    rows_failed   INTEGER,
    result        JSON,                    -- per-expectation summary
    data_docs     VARCHAR,                 -- path of the Data Docs page
    validated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS feeds (
    url                  VARCHAR PRIMARY KEY,
    name                 VARCHAR,
    title                VARCHAR,
    etag                 VARCHAR,
    last_modified        VARCHAR,
    last_fetched_at      TIMESTAMPTZ,
    last_status          VARCHAR,          -- ok | not_modified | error text
    consecutive_failures INTEGER DEFAULT 0,
    next_due_at          TIMESTAMPTZ,
    items_seen           INTEGER DEFAULT 0,
    last_new_items       INTEGER DEFAULT 0,  -- new items in the last successful fetch (drives adaptive polling)
    poll_interval_seconds INTEGER,           -- current adaptive interval
    healthy              BOOLEAN DEFAULT TRUE,
    last_error           VARCHAR,
    redirected_to        VARCHAR             -- target of a permanent redirect, used for later fetches
);

CREATE OR REPLACE VIEW article_entities AS
SELECT DISTINCT m.article_id, e.entity_id, e.kind, e.name
FROM mentions m JOIN entities e USING (entity_id);
