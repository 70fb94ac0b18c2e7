"""RawArticle -> Article: clean text, find the headline, identify the article."""

from __future__ import annotations

from transforms.clean import clean_title, normalize_text, split_headline, strip_boilerplate
from transforms.dedupe import content_hash
from transforms.records import Article, Quarantined, RawArticle
from transforms.urls import article_id_for, canonical_url


def prepare_article(raw: RawArticle) -> Article | Quarantined:
    text = normalize_text(raw.body)
    flags = list(raw.flags)
    if raw.title is None:
        title, body, split_flags = split_headline(text)
        flags += split_flags
    else:
        title, body = raw.title, text
    title = clean_title(title)
    body = strip_boilerplate(body)
    if not body.strip():
        return Quarantined(raw.url, "clean", "no body text left after removing page furniture", raw.body[:2000])
    url = canonical_url(raw.url)
    return Article(
        article_id=article_id_for(url),
        url=url,
        title=title,
        body=body,
        published_at=raw.published_at,
        fetched_at=raw.fetched_at,
        source=raw.source,
        language=raw.language,  # the feed's own; otherwise detected where the article is tagged
        content_hash=content_hash(title, body),
        extractor=raw.extractor,
        flags=flags,
    )
