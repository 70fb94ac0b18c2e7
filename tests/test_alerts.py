"""Alert rule semantics on hand-built tagged articles (no NER needed)."""

from datetime import UTC, datetime

from transforms.alerts import RuleSpec, compile_rule, evaluate_rule
from transforms.records import Article, Entity, Mention, TaggedArticle

RULE = compile_rule(
    RuleSpec(
        "armenia-russia",
        frozenset({"Armenia", "Nikol Pashinyan"}),
        frozenset({"Russia", "Vladimir Putin"}),
        cues=("talk*", "call*"),
        exclusions=("football",),
        min_pair_sentences=2,
    )
)
ENTITIES = {
    "location:armenia": "Armenia",
    "location:russia": "Russia",
    "actor:nikol-pashinyan": "Nikol Pashinyan",
    "actor:vladimir-putin": "Vladimir Putin",
}


def _tagged(title: str, sentences: list[str]) -> TaggedArticle:
    body = " ".join(sentences)
    article = Article("a" * 16, "https://x/1", title, body, None, datetime.now(UTC), "x", "en", "h" * 64)
    text = article.text
    spans, mentions = [], []
    pos = 0
    pieces = [title, *sentences] if title else sentences
    for i, piece in enumerate(pieces):
        start = text.index(piece, pos)
        spans.append((start, start + len(piece)))
        pos = start + len(piece)
        for eid, name in ENTITIES.items():
            j = piece.find(name)
            if j >= 0:
                mentions.append(Mention(article.article_id, eid, name, "body", start + j, start + j + len(name), i))
    entities = [Entity(eid, "x", name) for eid, name in ENTITIES.items()]
    return TaggedArticle(article, mentions, entities, spans)


def test_headline_with_both_sides_fires_and_cites_the_headline():
    tagged = _tagged("Nikol Pashinyan calls Vladimir Putin", ["They spoke at length."])
    alert = evaluate_rule(RULE, tagged, ENTITIES)
    assert alert is not None
    assert "Nikol Pashinyan calls Vladimir Putin" in alert.evidence
    assert set(alert.matched_entities) == {"Nikol Pashinyan", "Vladimir Putin"}


def test_two_pair_sentences_with_cues_fire():
    tagged = _tagged(
        "Diplomacy",
        ["Armenia held talks with Russia.", "The weather was fine.", "Nikol Pashinyan will call Vladimir Putin."],
    )
    assert evaluate_rule(RULE, tagged, ENTITIES) is not None


def test_both_countries_named_in_passing_do_not_fire():
    tagged = _tagged("Chess results", ["Players from Armenia won.", "A team from Russia came second."] + ["x."] * 3)
    assert evaluate_rule(RULE, tagged, ENTITIES) is None


def test_exclusion_in_the_window_removes_the_pair():
    tagged = _tagged(
        "Sport",
        [
            "Armenia and Russia held talks before the football match.",
            "Armenia and Russia call it a friendly game of football.",
        ],
    )
    assert evaluate_rule(RULE, tagged, ENTITIES) is None


def test_alert_id_is_stable_for_rule_and_article():
    tagged = _tagged("Nikol Pashinyan calls Vladimir Putin", ["They spoke."])
    assert evaluate_rule(RULE, tagged, ENTITIES).alert_id == evaluate_rule(RULE, tagged, ENTITIES).alert_id
