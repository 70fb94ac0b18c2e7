"""URL identity: the canonical form of an article URL and the article_id derived from it.

One story must have one identity however it reached us: through a feed with campaign
parameters, a Google Alerts redirect, or a link with `#comments`. Everything that only says
*how* a reader arrived is dropped; everything that may select content is kept untouched.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, unquote_plus, urlsplit, urlunsplit

# Query parameters that only track the visit. Compared lowercased; prefixes end with "_".
_TRACKING_PREFIXES = ("utm_", "ga_", "pk_", "mtm_", "hsa_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "twclid",
        "ttclid", "igshid", "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi",
        "__hstc", "__hssc", "__hsfp", "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "vero_conv", "rb_clickid", "s_cid", "wickedid", "ref_src", "ref_url",
        "at_medium", "at_campaign", "at_format", "at_link_id", "at_link_type", "at_link_origin",
        "at_ptr_name", "at_bbc_team", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
    }
)  # fmt: skip
# `ref` often selects content (a git ref, a product reference), so it is dropped only when its
# value names a traffic source, as in `?ref=rss` or `?ref=twitter`.
_REF_TRAFFIC_SOURCES = frozenset(
    {"rss", "atom", "feed", "feeds", "rssfeed", "twitter", "tw", "facebook", "fb", "email",
     "newsletter", "social", "share"}
)  # fmt: skip

# Redirect wrappers whose target is a query parameter: (host pattern, path pattern, parameters).
# t.co, lnkd.in, bit.ly and friends hide the target server-side and cannot be unwrapped offline.
_WRAPPERS: tuple[tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"(www\.)?google(\.[a-z]{2,3}){1,2}"), re.compile(r"/url"), ("url", "q")),
    (re.compile(r"news\.google\.com"), re.compile(r"/news/url|/url"), ("url", "q")),
    (re.compile(r"feedproxy\.google\.com"), re.compile(r".*"), ("url",)),
    (re.compile(r"(l|lm|www|m)\.facebook\.com"), re.compile(r"/l\.php"), ("u",)),
    (re.compile(r"out\.reddit\.com"), re.compile(r".*"), ("url",)),
    (re.compile(r"(www\.)?linkedin\.com"), re.compile(r"/redir/redirect"), ("url",)),
    (re.compile(r"(away\.)?vk\.com"), re.compile(r"/away\.php|/away"), ("to",)),
    (re.compile(r"duckduckgo\.com"), re.compile(r"/l/?"), ("uddg",)),
    (re.compile(r"slack-redir\.net"), re.compile(r"/link"), ("url",)),
    (re.compile(r"[a-z0-9.]*safelinks\.protection\.outlook\.com"), re.compile(r".*"), ("url",)),
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, drop fragment, tracking parameters and redirect wrappers.

    Keeps the path, the remaining parameters and their order exactly as given, so the result
    is stable (canonical_url(canonical_url(u)) == canonical_url(u)). file:// URIs are local
    identities and come back unchanged; strings that are not URLs come back stripped.
    """
    url = url.strip()
    if url[:7].lower() == "file://":
        return url
    for _ in range(3):  # a wrapper may wrap another wrapper; three levels is plenty
        target = _unwrapped_target(url)
        if target is None:
            break
        url = target
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = _canonical_netloc(parts.netloc, scheme)
    query = _query_without_tracking(parts.query)
    fragment = parts.fragment if parts.fragment.startswith("!") else ""  # "#!" routes select content
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, query, fragment))


def article_id_for(url: str) -> str:
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def _canonical_netloc(netloc: str, scheme: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, port = hostport, ""
    if hostport.startswith("["):  # IPv6 literal: [::1]:8080
        end = hostport.find("]")
        if end != -1:
            host, port = hostport[: end + 1], hostport[end + 2 :] if hostport[end + 1 : end + 2] == ":" else ""
    elif ":" in hostport:
        host, _, port = hostport.rpartition(":")
    host = host.lower().rstrip(".")
    if port == _DEFAULT_PORTS.get(scheme) or (port == "" and hostport.endswith(":")):
        port = ""
    return f"{userinfo}{at}{host}{':' + port if port else ''}"


def _query_without_tracking(query: str) -> str:
    if not query:
        return ""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        key = unquote_plus(name).strip().lower()
        if key.startswith(_TRACKING_PREFIXES) or key in _TRACKING_NAMES:
            continue
        if key == "ref" and unquote_plus(value).strip().lower() in _REF_TRAFFIC_SOURCES:
            continue
        kept.append(pair)
    return "&".join(kept)


def _unwrapped_target(url: str) -> str | None:
    """The real URL inside a known redirect wrapper, or None when `url` is not one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.query:
        return None
    host = (parts.hostname or "").rstrip(".")
    for host_re, path_re, params in _WRAPPERS:
        if host_re.fullmatch(host) and path_re.fullmatch(parts.path or "/"):
            values = dict(parse_qsl(parts.query, keep_blank_values=True))
            for param in params:
                target = values.get(param, "").strip()
                if re.match(r"https?://[^/\s]", target, re.IGNORECASE):
                    return target
    return None
