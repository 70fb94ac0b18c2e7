"""Polling RSS/Atom feeds: politely, safely, and without one feed's trouble reaching the others.

Politely: conditional GETs (a 304 costs no parsing), one request per second per host, a real
User-Agent, Retry-After honoured, failing feeds retried less and less often, quiet feeds polled
less often than busy ones. Safely: http(s) only, no requests to private, loopback, link-local
or cloud-metadata addresses (checked again at connect time, so DNS rebinding cannot get
around it), bounded bodies, bounded decompression, bounded redirects, a deadline per request.
Every per-feed problem ends up in that feed's FeedResult; fetch_feeds never raises for one.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Container
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from flows import progress
from flows.config import FetchConfig
from transforms.records import Quarantined, RawArticle

if TYPE_CHECKING:
    from transforms.extract import ExtractedText

DEFAULT_POLL_SECONDS = 30 * 60  # until a feed has shown how busy it is
MIN_POLL_SECONDS = 5 * 60
MAX_POLL_SECONDS = 24 * 3600
BACKOFF_BASE_SECONDS = 30 * 60  # 1st failure: 30 min, 2nd: 1 h, 3rd: 2 h, ... capped below
BACKOFF_CAP_SECONDS = 24 * 3600
UNHEALTHY_AFTER_FAILURES = 5
FULL_TEXT_BELOW_CHARS = 600  # an item text shorter than this is a teaser: fetch the page
MAX_FULL_TEXT_PER_FEED = 30  # page fetches per feed per run (1 s apart per host): bounds a run
SUMMARY_ONLY = "summary_only"

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass
class FeedState:
    """One row of the `feeds` table: what we know about a feed between runs."""

    url: str  # as configured: the feed's identity
    name: str | None = None
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_fetched_at: datetime | None = None
    last_status: str | None = None  # "ok" | "not_modified" | short error ("http 404", "timeout", ...)
    consecutive_failures: int = 0
    next_due_at: datetime | None = None  # None: due now (a feed never fetched)
    items_seen: int = 0  # items in the feed document at the last successful fetch
    last_new_items: int = 0
    poll_interval_seconds: int | None = None  # None: not calibrated yet (DEFAULT_POLL_SECONDS)
    healthy: bool = True
    last_error: str | None = None  # one line: what failed and when the next try is
    redirected_to: str | None = None  # target of a permanent redirect; fetched instead of url


@dataclass
class FeedResult:
    """Outcome of polling one feed. warning: a defect that did not stop parsing (bozo feed)."""

    state: FeedState
    articles: list[RawArticle] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    error: str | None = None
    not_modified: bool = False
    warning: str | None = None


def due_feeds(states: list[FeedState], now: datetime) -> list[FeedState]:
    """Feeds whose next poll is due; a feed never fetched is always due."""
    return [s for s in states if s.next_due_at is None or s.next_due_at <= now]


def fetch_feeds(
    states: list[FeedState],
    fetch: FetchConfig,
    now: datetime,
    *,
    fetch_full_text: bool = True,
    known_urls: Container[str] = frozenset(),
) -> list[FeedResult]:
    """Poll feeds concurrently (fetch.max_concurrency threads); one FeedResult per state, in order.

    known_urls: canonical URLs already stored. Their items are still returned (so duplicates
    can be counted) but their pages are not fetched again for full text.
    """
    if not states:
        return []
    fetcher = _Fetcher(fetch)
    try:
        workers = max(1, min(fetch.max_concurrency, len(states)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feed") as pool:
            futures = [pool.submit(_poll_feed, state, fetcher, now, fetch_full_text, known_urls) for state in states]
            results = []
            for state, future in zip(states, futures, strict=True):
                try:
                    results.append(future.result())
                except Exception as exc:  # _poll_feed catches; this is the last net
                    results.append(_failed(state, _unexpected(exc), now))
                progress.feed_fetched()
    finally:
        fetcher.close()
    return results


def record_new_items(state: FeedState, new_items: int, now: datetime) -> FeedState:
    """Adapt the poll interval once dedupe has said how many items were really new.

    Nothing new: poll 1.5x less often. At least half the feed new: poll twice as often (items
    may scroll off between polls). Bounded to MIN_POLL_SECONDS..MAX_POLL_SECONDS. The first
    successful fetch only calibrates (everything is new then), and a failing feed keeps its
    backoff schedule.
    """
    if state.consecutive_failures:
        return state
    new_items = max(new_items, 0)
    interval = float(state.poll_interval_seconds or DEFAULT_POLL_SECONDS)
    if state.poll_interval_seconds is not None:
        if new_items == 0:
            interval *= 1.5
        elif state.items_seen and new_items * 2 >= state.items_seen:
            interval /= 2
    seconds = int(min(max(interval, MIN_POLL_SECONDS), MAX_POLL_SECONDS))
    return replace(
        state,
        last_new_items=new_items,
        poll_interval_seconds=seconds,
        next_due_at=(state.last_fetched_at or now) + timedelta(seconds=seconds),
    )


# --- one feed ---------------------------------------------------------------------------------


class FetchError(Exception):
    """A failed request. status: short form for last_status; detail completes "feed <url> ..."."""

    def __init__(self, status: str, detail: str, *, retry_after: float | None = None, gone: bool = False):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after
        self.gone = gone


def _poll_feed(
    state: FeedState, fetcher: _Fetcher, now: datetime, fetch_full_text: bool, known_urls: Container[str]
) -> FeedResult:
    url = state.redirected_to or state.url
    conditional = {}
    if state.etag:
        conditional["If-None-Match"] = state.etag
    if state.last_modified:
        conditional["If-Modified-Since"] = state.last_modified
    quarantined: list[Quarantined] = []
    try:
        fetched = fetcher.get(url, accept=FEED_ACCEPT, extra_headers=conditional)
        redirected_to = fetched.permanent_redirect or state.redirected_to
        if fetched.status_code == 304:
            return FeedResult(state=_not_modified(state, fetched, redirected_to, now), not_modified=True)
        if not 200 <= fetched.status_code < 300:
            raise _http_error(fetched, now)
        parsed = parse_feed(fetched.body, fetched.url, content_type=fetched.headers.get("content-type"), fetched_at=now)
        quarantined = parsed.quarantined
        if parsed.items_total == 0 and parsed.bozo:
            raise FetchError("not a feed", f"returned no feed: {parsed.bozo}")
        articles = parsed.articles
        for article in articles:
            article.source = state.url
        _complete_short_items(articles, fetcher if fetch_full_text else None, known_urls)
        ok = replace(
            state,
            title=parsed.title or state.title,
            etag=fetched.headers.get("etag"),
            last_modified=fetched.headers.get("last-modified"),
            last_fetched_at=now,
            last_status="ok",
            consecutive_failures=0,
            next_due_at=now + timedelta(seconds=state.poll_interval_seconds or DEFAULT_POLL_SECONDS),
            items_seen=parsed.items_total,
            healthy=True,
            last_error=None,
            redirected_to=redirected_to,
        )
        return FeedResult(state=ok, articles=articles, quarantined=quarantined, warning=parsed.bozo)
    except FetchError as exc:
        return _failed(state, exc, now, quarantined)
    except Exception as exc:  # a bug on one feed must not stop the others
        return _failed(state, _unexpected(exc), now, quarantined)


def _not_modified(state: FeedState, fetched: _Fetched, redirected_to: str | None, now: datetime) -> FeedState:
    return replace(
        state,
        etag=fetched.headers.get("etag") or state.etag,
        last_modified=fetched.headers.get("last-modified") or state.last_modified,
        last_fetched_at=now,
        last_status="not_modified",
        consecutive_failures=0,
        next_due_at=now + timedelta(seconds=state.poll_interval_seconds or DEFAULT_POLL_SECONDS),
        healthy=True,
        last_error=None,
        redirected_to=redirected_to,
    )


def _http_error(fetched: _Fetched, now: datetime) -> FetchError:
    code = fetched.status_code
    retry_after = None
    if code in (429, 503):
        retry_after = _retry_after_seconds(fetched.headers.get("retry-after"), now)
    return FetchError(f"http {code}", f"returned {code}", retry_after=retry_after, gone=code == 410)


def _failed(
    state: FeedState, error: FetchError, now: datetime, quarantined: list[Quarantined] | None = None
) -> FeedResult:
    failures = state.consecutive_failures + 1
    delay = min(BACKOFF_BASE_SECONDS * 2 ** min(failures - 1, 16), BACKOFF_CAP_SECONDS)
    when = f"next try in {_duration(delay)}"
    if error.retry_after is not None:
        delay = min(max(error.retry_after, 0.0), BACKOFF_CAP_SECONDS)
        when = f"next try in {_duration(delay)}, as Retry-After asks"
    url = state.redirected_to or state.url
    message = f"feed {url} {error.detail} ({_ordinal(failures)} failure; {when})"
    failed = replace(
        state,
        last_fetched_at=now,
        last_status=error.status,
        consecutive_failures=failures,
        next_due_at=now + timedelta(seconds=delay),
        healthy=failures < UNHEALTHY_AFTER_FAILURES and not error.gone,
        last_error=message,
    )
    return FeedResult(state=failed, quarantined=quarantined or [], error=message)


def _unexpected(exc: Exception) -> FetchError:
    text = " ".join(str(exc).split())[:200]
    return FetchError("unexpected error", f"failed unexpectedly: {type(exc).__name__}: {text}")


def _retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def _complete_short_items(articles: list[RawArticle], fetcher: _Fetcher | None, known_urls: Container[str]) -> None:
    """Replace teaser text with the article page's main text; otherwise flag it summary_only."""
    budget = MAX_FULL_TEXT_PER_FEED
    for article in articles:
        if len(article.body) >= FULL_TEXT_BELOW_CHARS:
            continue
        extracted = None
        if fetcher is not None and budget > 0 and article.url not in known_urls:
            budget -= 1
            extracted = _article_page_text(article.url, fetcher)
        if extracted is not None and len(extracted.text) > len(article.body):
            article.body = extracted.text
            article.extractor = extracted.extractor
            article.title = article.title or extracted.title
        elif SUMMARY_ONLY not in article.flags:
            article.flags.append(SUMMARY_ONLY)


def parse_feed(content: bytes, feed_url: str, **kwargs):
    """transforms.feed_items.parse_feed, imported at the first feed fetched: with trafilatura it costs
    ~0.1 s, which a run with no feed due does not pay."""
    from transforms.feed_items import parse_feed as parse

    return parse(content, feed_url, **kwargs)


def _article_page_text(url: str, fetcher: _Fetcher) -> ExtractedText | None:
    """Main text of an article page, or None when it cannot be fetched or holds no article."""
    try:
        fetched = fetcher.get(url, accept=PAGE_ACCEPT)
    except FetchError:
        return None
    content_type = (fetched.headers.get("content-type") or "").lower()
    if fetched.status_code != 200 or (content_type and "html" not in content_type):
        return None
    from transforms.extract import decode_html, extract_article_html

    try:
        extracted = extract_article_html(decode_html(fetched.body, content_type), url=fetched.url)
    except Exception:  # a page that breaks the extractor just keeps the summary
        return None
    return extracted if extracted.extractor != "none" else None


# --- HTTP -------------------------------------------------------------------------------------


@dataclass
class _Fetched:
    status_code: int
    url: str  # after redirects
    headers: httpx.Headers
    body: bytes
    permanent_redirect: str | None  # where a 301/308 chain from the requested URL ended


class _Fetcher:
    """One httpx client shared by all worker threads, with the guard, throttle and limits."""

    def __init__(self, config: FetchConfig):
        self._config = config
        self._throttle = _HostThrottle(config.per_host_interval_seconds)
        transport = httpx.HTTPTransport(
            limits=httpx.Limits(
                max_connections=config.max_concurrency * 2, max_keepalive_connections=config.max_concurrency
            )
        )
        if not config.allow_private_addresses:
            pool = getattr(transport, "_pool", None)
            if pool is not None and hasattr(pool, "_network_backend"):
                pool._network_backend = _GuardedBackend(pool._network_backend)
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,  # followed in get(): bounded, guarded, permanent ones recorded
            trust_env=False,  # no proxies or .netrc from the environment: the guard must see the target
            timeout=httpx.Timeout(
                connect=config.connect_timeout,
                read=config.read_timeout,
                write=config.read_timeout,
                pool=config.connect_timeout + config.read_timeout,
            ),
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, accept: str, extra_headers: dict[str, str] | None = None) -> _Fetched:
        """GET with redirects followed by hand; raises FetchError for anything but a response."""
        headers = {"Accept": accept, **(extra_headers or {})}
        visited = [url]
        permanent: str | None = None
        still_permanent = True
        for hop in range(self._config.max_redirects + 1):
            try:
                host = self._checked_host(url)
            except FetchError as exc:
                if hop:  # say where the redirect led: the feed URL itself was fine
                    exc.detail = f"was redirected to {url[:200]}, which {exc.detail}"
                raise
            self._throttle.wait(host)
            status, response_headers, body = self._send(url, headers)
            if status not in _REDIRECTS:
                return _Fetched(status, url, response_headers, body, permanent)
            location = (response_headers.get("location") or "").strip()
            if not location:
                raise FetchError(f"http {status}", f"returned {status} without a Location header")
            target = urljoin(url, location).split("#", 1)[0]
            if status in (301, 308) and still_permanent:
                permanent = target
            else:
                still_permanent = False
            if target in visited:
                chain = " -> ".join([*visited, target])
                raise FetchError("redirect loop", f"redirects in a loop ({chain[:300]})")
            visited.append(target)
            url = target
        raise FetchError(
            "too many redirects", f"redirected more than {self._config.max_redirects} times (last to {url})"
        )

    def _checked_host(self, url: str) -> str:
        """The URL's host, after refusing non-http(s) schemes and (unless allowed) private targets."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchError("bad url", f"is not a valid URL ({exc})") from exc
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError("bad url", f"uses scheme {parts.scheme or 'none'!r}; only http and https are fetched")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError("bad url", "has no host name")
        if not self._config.allow_private_addresses:
            default_port = 443 if parts.scheme.lower() == "https" else 80
            vetted_addresses(host, port or default_port)
        return host

    def _send(self, url: str, headers: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        config = self._config
        budget = config.connect_timeout + config.read_timeout
        deadline = time.monotonic() + budget
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if not 200 <= response.status_code < 300:
                    return response.status_code, response.headers, b""
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > config.max_bytes:
                    raise _too_large(config.max_bytes)
                raw = bytearray()
                for chunk in response.iter_raw():
                    raw += chunk
                    if len(raw) > config.max_bytes:
                        raise _too_large(config.max_bytes)
                    if time.monotonic() > deadline:
                        raise FetchError("timeout", f"was too slow: body not complete after {budget:g} s")
                body = _decompressed(bytes(raw), response.headers.get("content-encoding"), config.max_bytes)
                return response.status_code, response.headers, body
        except httpx.ConnectTimeout as exc:
            raise FetchError("timeout", f"did not accept a connection within {config.connect_timeout:g} s") from exc
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout) as exc:
            raise FetchError("timeout", f"did not answer within {config.read_timeout:g} s (read timeout)") from exc
        except httpx.ConnectError as exc:
            raise FetchError("connect error", f"could not be reached ({_one_line(exc)})") from exc
        except httpx.HTTPError as exc:
            raise FetchError("http error", f"failed: {type(exc).__name__}: {_one_line(exc)}") from exc


def _too_large(limit: int) -> FetchError:
    return FetchError("too large", f"sent a body larger than {_megabytes(limit)}; not read")


def _decompressed(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo Content-Encoding, then any gzip the header did not mention (sniffed by magic bytes);
    never inflate beyond `limit` bytes."""
    for coding in reversed([c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip", "deflate"):
            try:
                body = _inflate(body, limit)
            except zlib.error:
                if body[:1] == b"<":  # labelled compressed but sent plain: use as is
                    continue
                raise FetchError("bad body", f"sent a body that is not valid {coding}") from None
        elif coding != "identity":
            raise FetchError("bad body", f"sent Content-Encoding {coding!r}, which cannot be decoded")
    for _ in range(2):  # gzip without a header, or gzip inside gzip
        if body[:2] != b"\x1f\x8b":
            break
        try:
            body = _inflate(body, limit)
        except zlib.error:
            raise FetchError("bad body", "sent a gzip body that is corrupt") from None
    return body


def _inflate(data: bytes, limit: int) -> bytes:
    out = bytearray()
    while data:
        try:
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
            chunk = inflater.decompress(data, limit + 1 - len(out))
        except zlib.error:
            if out:
                raise
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
            chunk = inflater.decompress(data, limit + 1)
        out += chunk
        if len(out) > limit or inflater.unconsumed_tail:
            raise _too_large(limit)
        data = inflater.unused_data  # next gzip member, if any
    return bytes(out)


class _HostThrottle:
    """At most one request start per `interval` seconds per host, across all threads."""

    def __init__(self, interval: float):
        self._interval = max(interval, 0.0)
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def wait(self, host: str) -> None:
        if self._interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self._interval
        if slot > now:
            time.sleep(slot - now)


# --- SSRF guard -------------------------------------------------------------------------------

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def resolve_addresses(host: str, port: int) -> list[str]:
    """IP addresses for a host name (module-level so tests can stand in a resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def vetted_addresses(host: str, port: int) -> list[str]:
    """The host's addresses if every one is public; FetchError("blocked") otherwise."""
    host = host.strip("[]")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = resolve_addresses(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError("dns error", f"has a host name that does not resolve ({host}: {exc})") from exc
    if not addresses:
        raise FetchError("dns error", f"has a host name without addresses ({host})")
    for address in addresses:
        if not _is_public(address):
            raise FetchError(
                "blocked",
                f"points at {address}, a private, loopback, link-local or reserved address; refused "
                "(set fetch.allow_private_addresses to allow)",
            )
    return addresses


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to vetted addresses, resolving the name itself: the address checked is the
    address connected to, so a DNS answer that changes between check and connect is harmless."""

    def __init__(self, inner: httpcore.NetworkBackend):
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last_error: Exception | None = None
        for address in vetted_addresses(host, port):
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise FetchError("blocked", "asked for a unix socket; refused")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# --- wording ----------------------------------------------------------------------------------


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600, 1):g} h"
    return f"{round(seconds / 86400, 1):g} d"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} KB"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
