"""Alert rules: does a tagged article cover the relation a rule watches (e.g. Armenia–Russia)?

A rule has two sides, each a set of canonical entity names plus optional terms (demonyms,
inflected forms). An article fires when both sides meet in the headline, or in at least
`min_pair_sentences` sentence windows (a sentence and its `window` neighbours) that carry a
relation cue and no exclusion. The README's "Alert rules" section is the user-facing spec.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass

from transforms.records import Alert, TaggedArticle
from transforms.resolve import STATE_BODY

# Beside ministries and parliaments (STATE_BODY), the state's agencies, services, courts and central bank
# speak for it in the catalogue's names: "Central Bank of Russia", "Federal Customs Service (Russia)",
# "Investigative Committee of Armenia", and the Ros- agencies and state corporations (Rossotrudnichestvo,
# Roskomnadzor, Rosatom, Rosoboronexport).
STATE_AGENCY = re.compile(
    r"\b(?:[Cc]entral [Bb]ank|Federal|[Ss]ervice|[Aa]gency|[Cc]ommittee|[Cc]ourt|[Cc]ustoms|[Pp]olice)\b|^Ros[a-z]"
)


@dataclass(frozen=True)
class RuleSpec:
    name: str
    side_a: frozenset[str]
    side_b: frozenset[str]
    terms_a: tuple[str, ...] = ()
    terms_b: tuple[str, ...] = ()
    window: int = 0
    headline_pair: bool = True
    cues: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    min_score: float = 2.0
    term_weight: float = 0.5
    headline_weight: float = 2.0
    countries_a: frozenset[str] = frozenset()  # a state body of one of these countries stands for side A
    countries_b: frozenset[str] = frozenset()
    other_stories: tuple[str, ...] = ()  # words of stories of another kind: sport, culture, crime, weather...
    other_story_min_score: float = 0.0  # the score such a story needs (0: min_score)
    # In an article written in one of home_languages_a, home_words_a («նախարարությունը», «մենք») stand for
    # side A where a sentence names neither side A nor a third place: the Armenian press's "the ministry".
    home_languages_a: frozenset[str] = frozenset()
    home_words_a: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, rule: dict) -> RuleSpec:
        """From a config rule (a [[alerts.rules]] table as a dict)."""
        return cls(
            name=rule["name"],
            side_a=frozenset(rule["side_a"]),
            side_b=frozenset(rule["side_b"]),
            terms_a=tuple(rule.get("terms_a", ())),
            terms_b=tuple(rule.get("terms_b", ())),
            window=rule.get("window", 0),
            headline_pair=rule.get("headline_pair", True),
            cues=tuple(rule.get("cues", ())),
            exclusions=tuple(rule.get("exclusions", ())),
            min_score=rule.get("min_score", 2.0),
            term_weight=rule.get("term_weight", 0.5),
            headline_weight=rule.get("headline_weight", 2.0),
            countries_a=frozenset(rule.get("countries_a", ())),
            countries_b=frozenset(rule.get("countries_b", ())),
            other_stories=tuple(rule.get("other_stories", ())),
            other_story_min_score=rule.get("other_story_min_score", 0.0),
            home_languages_a=frozenset(rule.get("home_languages_a", ())),
            home_words_a=tuple(rule.get("home_words_a", ())),
        )


def _is_acronym(term: str) -> bool:
    """«ЕС», «ԵՄ», "CSTO": capitals only, matched as written (case-insensitive, «ԵՄ*» took every «եմ», the
    Armenian "I am", for the EU)."""
    letters = [c for c in term if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """Terms match at a word start; a trailing '*' allows any ending (for inflected languages).

    The alternatives are grouped by their first letter («(?:t(?:alk\\w*|alks)|в(?:изит\\w*|…))»): the regex
    engine tries them one after another, and over 200 cues and story words in one flat list cost ~4 ms
    an article, most of the alert rule's time."""
    if not terms:
        return None
    groups: dict[str, list[str]] = {}
    acronyms: list[str] = []
    first_letters: set[str] = set()
    for t in terms:
        rest = re.escape(t[1:-1]) + r"\w*" if t.endswith("*") else re.escape(t[1:]) + r"(?!\w)"
        first_letters.add(t[0].casefold()[0])
        if _is_acronym(t.rstrip("*")):
            acronyms.append(re.escape(t[0]) + rest)  # «ԵՄ» (the EU) is not «եմ» (I am)
        else:
            groups.setdefault(t[0].casefold(), []).append(rest)
    alternatives = [re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in groups.items()]
    if acronyms:
        alternatives.append("(?-i:" + "|".join(acronyms) + ")")
    # The look-ahead on the first letters lets the engine skip a position with one set test before the
    # look-behind and the alternatives: ~30 % faster over an article.
    firsts = re.escape("".join(sorted(first_letters)))
    return re.compile(r"(?=[" + firsts + r"])(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def _hits_by_sentence(pattern: re.Pattern, text: str, sentences: list[tuple[int, int]]) -> list[set[str]]:
    """The pattern's matches in each sentence, from one pass over the whole text."""
    starts = [s for s, _ in sentences]
    hits: list[set[str]] = [set() for _ in sentences]
    for hit in pattern.finditer(text):
        i = bisect.bisect_right(starts, hit.start()) - 1
        if i >= 0 and hit.end() <= sentences[i][1]:
            hits[i].add(hit.group())
    return hits


# A side's term before one of these nouns is its state, as diplomatic copy writes it: "the Russian side",
# «российская сторона», «ռուսական գործընկերներին» (to the Russian partners), "Armenian authorities".
STATE_SIDE_NOUN = re.compile(
    r"\s+(?:side|partners?|counterparts?|authorities|сторон\w*|партн[её]р\w*|власт\w*|коллег\w*"
    r"|կողմ\w*|գործընկեր\w*|իշխանություն\w*)(?!\w)",
    re.IGNORECASE,
)


def _state_pattern(terms: re.Pattern | None) -> re.Pattern | None:
    """A side's terms followed by a state noun ("the Russian side")."""
    return re.compile(terms.pattern + STATE_SIDE_NOUN.pattern, terms.flags) if terms is not None else None


@dataclass
class CompiledRule:
    spec: RuleSpec
    terms_a: re.Pattern | None
    terms_b: re.Pattern | None
    cues: re.Pattern | None
    exclusions: re.Pattern | None
    other_stories: re.Pattern | None
    home_words_a: re.Pattern | None
    states_a: re.Pattern | None  # the side's state by its term and a state noun ("the Russian side")
    states_b: re.Pattern | None


def compile_rule(spec: RuleSpec) -> CompiledRule:
    terms_a, terms_b = _term_pattern(spec.terms_a), _term_pattern(spec.terms_b)
    return CompiledRule(
        spec,
        terms_a,
        terms_b,
        _term_pattern(spec.cues),
        _term_pattern(spec.exclusions),
        _term_pattern(spec.other_stories),
        _term_pattern(spec.home_words_a),
        _state_pattern(terms_a),
        _state_pattern(terms_b),
    )


def is_other_story(rule: CompiledRule, text: str) -> bool:
    """A story of another kind that names both sides on the way: its sport, culture, crime, weather or
    tourism words outnumber its relation cues (an Armenian painter's show in Moscow, pickpockets from
    Yerevan tried there). Such a story needs `other_story_min_score` to alert."""
    if rule.other_stories is None or rule.cues is None:
        return False
    return len(rule.other_stories.findall(text)) > len(rule.cues.findall(text))


def min_score_for(rule: CompiledRule, text: str) -> float:
    spec = rule.spec
    if spec.other_story_min_score > spec.min_score and is_other_story(rule, text):
        return spec.other_story_min_score
    return spec.min_score


def alert_id_for(rule: str, article_id: str) -> str:
    return hashlib.sha256(f"{rule}\x00{article_id}".encode()).hexdigest()[:16]


# A sentence naming four or more places, two or more of neither side, is an enumeration, not a relation
# ("members are Russia, Kazakhstan, Belarus and Armenia"); "Yerevan, Armenia, Moscow and Russia" is not.
LIST_PLACES = 4
LIST_THIRD_PLACES = 2
LIST_WEIGHT = 0.25


def _side_strength(entities: set[str], terms: set[str], term_weight: float) -> float:
    """1 for a named entity (+0.25 for each further one, up to 1.5); term_weight for a term alone."""
    if entities:
        return min(1.5, 1.0 + 0.25 * (len(entities) - 1))
    return term_weight if terms else 0.0


HOME_SIDE = "(home)"
STATE_SIDE = {"A": "(side A's state)", "B": "(side B's state)"}


def _add_home_side(rule: CompiledRule, text: str, sentences, terms_a, ents_a, places, sides) -> None:
    """Side A, implied by the home language's words for its own state («the ministry», «we»), in the
    sentences that name neither side A nor a third place. A home word right after a side B term is side
    B's own («ՌԴ ԱԳՆ», Russia's foreign ministry), not ours."""
    for i, (start, end) in enumerate(sentences):
        if ents_a[i] or terms_a[i] or places[i] - sides:
            continue
        for hit in rule.home_words_a.finditer(text, start, end):
            before = text[max(start, hit.start() - 24) : hit.start()].rstrip()
            if not (rule.terms_b and any(b.end() == len(before) for b in rule.terms_b.finditer(before))):
                terms_a[i] = {HOME_SIDE}
                break


def score_article(rule: CompiledRule, tagged: TaggedArticle, names: dict[str, str]):
    """(score, evidence sentence indexes, matched names, headline hit) of one article under the rule."""
    spec = rule.spec
    text = tagged.article.text
    sentences = tagged.sentences or [(0, len(text))]
    n = len(sentences)
    ents_a: list[set[str]] = [set() for _ in range(n)]
    ents_b: list[set[str]] = [set() for _ in range(n)]
    places: list[set[str]] = [set() for _ in range(n)]
    # a state body the side lists do not name stands for its country only where nothing else names it:
    # «Միգրացիայի ծառայությունը» beside «Հայաստանում» is one mention of Armenia, not two
    bodies_a: list[set[str]] = [set() for _ in range(n)]
    bodies_b: list[set[str]] = [set() for _ in range(n)]
    terms_a = _hits_by_sentence(rule.terms_a, text, sentences) if rule.terms_a else [set() for _ in range(n)]
    terms_b = _hits_by_sentence(rule.terms_b, text, sentences) if rule.terms_b else [set() for _ in range(n)]
    org_country = (  # state bodies only: a news agency quoted ("told Armenpress") is no side
        {
            e.entity_id: e.country_code
            for e in tagged.entities
            if e.kind == "organization"
            and e.country_code
            and (STATE_BODY.search(e.name) or STATE_AGENCY.search(e.name))
        }
        if spec.countries_a or spec.countries_b
        else {}
    )
    for side, pattern, bodies in (("A", rule.states_a, bodies_a), ("B", rule.states_b, bodies_b)):
        if pattern is not None:
            for i, hits in enumerate(_hits_by_sentence(pattern, text, sentences)):
                if hits:
                    bodies[i].add(STATE_SIDE[side])
    for m in tagged.mentions:
        name = names.get(m.entity_id)
        if m.sentence >= n or name is None:
            continue
        country = org_country.get(m.entity_id)
        if name in spec.side_a:
            ents_a[m.sentence].add(name)
        elif country and country in spec.countries_a:
            bodies_a[m.sentence].add(name)
        if name in spec.side_b:
            ents_b[m.sentence].add(name)
        elif country and country in spec.countries_b:
            bodies_b[m.sentence].add(name)
        if m.entity_id.startswith("location:"):
            places[m.sentence].add(name)

    sides = spec.side_a | spec.side_b
    if rule.home_words_a and tagged.article.language in spec.home_languages_a:
        _add_home_side(rule, text, sentences, terms_a, ents_a, places, sides)

    def strength(lo: int, hi: int) -> tuple[float, float, set[str]]:
        ea = set().union(*ents_a[lo:hi]) or set().union(*bodies_a[lo:hi])
        eb = set().union(*ents_b[lo:hi]) or set().union(*bodies_b[lo:hi])
        ta, tb = set().union(*terms_a[lo:hi]), set().union(*terms_b[lo:hi])
        a = _side_strength(ea, ta, spec.term_weight)
        b = _side_strength(eb, tb, spec.term_weight)
        if any(len(p) >= LIST_PLACES and len(p - sides) >= LIST_THIRD_PLACES for p in places[lo:hi]):
            a *= LIST_WEIGHT  # "members are Russia, Kazakhstan, Belarus, Kyrgyzstan and Armenia"
        return a, b, ((ea or ta) | (eb or tb)) - {HOME_SIDE, *STATE_SIDE.values()}

    def window_counts(lo: int, hi: int) -> bool:
        window_text = text[sentences[lo][0] : sentences[hi - 1][1]]
        if rule.exclusions and rule.exclusions.search(window_text):
            return False
        return not rule.cues or bool(rule.cues.search(window_text))

    title_len = len(tagged.article.title or "") if "title_derived" not in tagged.article.flags else 0
    headline = [i for i, (s, _) in enumerate(sentences) if title_len and s < title_len]
    score, evidence, matched = 0.0, [], set()
    headline_hit = False
    if headline and spec.headline_pair:
        a, b, names_hit = strength(headline[0], headline[-1] + 1)
        if a and b and window_counts(headline[0], headline[-1] + 1):
            headline_hit = True
            score += spec.headline_weight * a * b
            evidence += headline
            matched |= names_hit
    pairs = []
    for i in range(len(headline), n):
        if not (ents_a[i] or ents_b[i] or bodies_a[i] or bodies_b[i] or terms_a[i] or terms_b[i]):
            continue
        lo, hi = max(len(headline), i - spec.window), min(n, i + spec.window + 1)
        a, b, names_hit = strength(lo, hi)
        if not (a and b) or not window_counts(lo, hi):
            continue
        pairs.append((a * b, i))
        score += a * b
        matched |= names_hit
    evidence += [i for _, i in sorted(pairs, key=lambda p: (-p[0], p[1]))[:3]]
    return score, sorted(set(evidence)), matched, headline_hit


def evaluate_rule(rule: CompiledRule, tagged: TaggedArticle, names: dict[str, str]) -> Alert | None:
    """The alert this article raises under the rule, or None. `names` maps entity_id -> canonical name."""
    score, evidence_idx, matched, _headline = score_article(rule, tagged, names)
    spec = rule.spec
    if score < spec.min_score or not evidence_idx:
        return None
    # min_score_for counts two patterns over the whole text (~3 ms an article): only a score between the
    # two thresholds needs to know whether the story is of another kind
    if score < spec.other_story_min_score and score < min_score_for(rule, tagged.article.text):
        return None
    sentences = tagged.sentences or [(0, len(tagged.article.text))]
    spans = tuple(sentences[i] for i in evidence_idx)
    evidence = " … ".join(tagged.article.text[s:e].strip() for s, e in spans)
    return Alert(
        alert_id_for(rule.spec.name, tagged.article.article_id),
        rule.spec.name,
        tagged.article.article_id,
        round(score, 2),
        tuple(sorted(matched)),
        evidence,
        spans,
        tagged.article.story_id,
    )
