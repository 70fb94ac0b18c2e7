"""Screenshots of every dashboard page, taken in a real (headless) Chromium.

    .venv/bin/python dashboards/screenshots.py --db data/presswatch.duckdb --out docs/

starts the dashboard on a free 127.0.0.1 port against ``--db``, opens each page and saves
``docs/dashboard-<page>.png`` (``dashboard-overview.png`` is the one in the README) plus
``dashboard-article.png`` (an article with its names highlighted). Uses the system Chromium
(``/usr/bin/chromium``; override with ``--chromium``) through Playwright - ``playwright install`` is not
needed. ``running_app`` and ``launch_browser`` are shared with ``tests/test_browser.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dashboards.server import streamlit_command, wait_until_served
from flows.processes import stop_process

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium; `make test` finds or installs it (.ci/chromium) and passes its path here.
CHROMIUM = os.environ.get("PRESSWATCH_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# (url path, file name, text to wait for)
PAGES = [
    ("", "overview", "Unacknowledged alerts"),
    ("map", "map", "Places named in the articles"),
    ("network", "network", "Who is covered together"),
    ("articles", "articles", "Search and filter the stored articles"),
    ("data", "data", "Last runs"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_app(db_path: Path, *, cwd: Path = ROOT, port: int | None = None, timeout: float = 90) -> Iterator[str]:
    """The real dashboard (``streamlit run``) on 127.0.0.1, reading ``db_path``; yields its base URL.

    ``cwd`` is where it looks for ``presswatch.toml`` (the repository's by default)."""
    port = port or free_port()
    env = dict(os.environ, PRESSWATCH_DB=str(db_path))
    env.pop("PRESSWATCH_CONFIG", None)
    log = tempfile.NamedTemporaryFile("w", prefix="presswatch-streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        streamlit_command("127.0.0.1", port), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_served(url, proc, timeout, log.name)
        yield url
    finally:
        stop_process(proc, grace_seconds=10)
        log.close()


@contextlib.contextmanager
def launch_browser(chromium: str = CHROMIUM) -> Iterator[object]:
    """A headless Playwright Chromium using the system browser binary."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_until_rendered(page, text: str, timeout_ms: int = 60_000) -> None:
    """Wait for ``text`` and for Streamlit to finish running the script (no "Running..." indicator)."""
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout_ms,
    )


def full_height(page) -> int:
    """Streamlit scrolls inside its main container, so size the viewport to the content instead."""
    return int(
        page.evaluate(
            """() => {
                const main = document.querySelector('[data-testid="stMain"]')
                    || document.querySelector('section.main') || document.body;
                const block = main.querySelector('[data-testid="stMainBlockContainer"]') || main;
                return Math.ceil(block.getBoundingClientRect().top + block.scrollHeight + 40);
            }"""
        )
    )


def screenshot(page, out: Path, width: int = 1400, max_height: int = 4000) -> None:
    """The whole page: grow the viewport until the content (charts render late) stops growing."""
    height = 900
    page.set_viewport_size({"width": width, "height": height})
    for _ in range(5):
        page.wait_for_timeout(1000)  # charts and maps lay out again after a resize
        wanted = min(max(full_height(page), 900), max_height)
        if wanted <= height:
            break
        height = wanted
        page.set_viewport_size({"width": width, "height": height})
    page.screenshot(path=str(out), full_page=False)


def take_screenshots(db_path: Path, out_dir: Path, chromium: str = CHROMIUM, period: str = "7d") -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with running_app(db_path) as url, launch_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for path, name, marker in PAGES:
            query = f"?period={period}" if path in ("", "map", "network") else ""
            page.goto(f"{url}/{path}{query}")
            wait_until_rendered(page, marker)
            if name == "map":
                page.locator("canvas").first.wait_for(timeout=30_000)
            if name == "network":
                page.locator("svg .node").first.wait_for(timeout=30_000)
            target = out_dir / f"dashboard-{name}.png"
            screenshot(page, target)
            saved.append(target)
            if name == "articles":
                read = page.get_by_role("button", name="Read")
                if read.count():
                    read.first.click()
                    wait_until_rendered(page, "Close")
                    page.wait_for_timeout(500)
                    target = out_dir / "dashboard-article.png"
                    screenshot(page, target)
                    saved.append(target)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of every dashboard page (headless Chromium).")
    parser.add_argument("--db", type=Path, required=True, help="presswatch DuckDB file to show")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for dashboard-<page>.png")
    parser.add_argument("--chromium", default=CHROMIUM, help="Chromium/Chrome binary (default /usr/bin/chromium)")
    parser.add_argument("--period", default="7d", choices=["7d", "30d", "90d", "all"])
    args = parser.parse_args(argv)
    if not args.db.is_file():
        parser.error(f"no database at {args.db}")
    if not Path(args.chromium).exists():
        parser.error(f"no Chromium at {args.chromium} (install Debian's chromium or pass --chromium)")
    for path in take_screenshots(args.db.resolve(), args.out.resolve(), args.chromium, args.period):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
