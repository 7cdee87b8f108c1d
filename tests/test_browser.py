"""`linkdeck serve` end to end: Debian's Chromium opens the printed URL and drives the real TUI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
APP_START_MS = 60_000  # one app process starts per websocket; cold imports on a busy box are slow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package")

# textual.js keeps its xterm.js Terminal in a closure and draws with the WebGL or canvas renderer,
# so there are no `.xterm-rows` to read. This runs before the page's scripts and catches the
# Terminal when textual.js assigns `this.terminal = new Terminal(...)`; the test then reads text
# through xterm's public buffer API, whichever renderer won.
CATCH_TERMINAL = """
window.__xterms = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && typeof value.loadAddon === "function") window.__xterms.push(value);
  },
});
"""
SCREEN_TEXT = """() => {
  const term = window.__xterms[0];
  if (!term) return "";
  const buffer = term.buffer.active, lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
  return lines.join("\\n");
}"""
# Resolves when every needle is on screen, or when textual.js shows "Session ended" (the app died).
SHOWS_OR_ENDED = f"""(needles) => {{
  if (document.body.classList.contains("-closed")) return "ended";
  const text = ({SCREEN_TEXT})();
  return needles.every((n) => text.includes(n)) ? "shown" : false;
}}"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`serve(port=0)` in a subprocess with its own LINKDECK_HOME; yields the URL and its stderr log."""
    log = tmp_path / "serve.stderr"
    env = {**os.environ, "LINKDECK_HOME": str(tmp_path / "home"), "TEXTUAL_ANIMATIONS": "none"}
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from tui.serve import serve; serve(port=0)"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:"), f"no URL printed; stderr:\n{log.read_text()}"
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def wait_for(page: Any, needles: list[str], log: Path) -> None:
    state = page.wait_for_function(SHOWS_OR_ENDED, arg=needles, timeout=APP_START_MS).json_value()
    if state == "ended":
        pytest.fail(f"the app session ended before showing {needles}; server stderr:\n{log.read_text()}")


def test_browser_tab_runs_the_tui_behind_the_token(served: tuple[str, Path], tmp_path: Path) -> None:
    url, log = served
    base = url.split("/?", 1)[0]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(APP_START_MS)
            # The page asks Google Fonts for a stylesheet; there is no internet here, so fail fast.
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith(base) else route.abort(),
            )
            page.add_init_script(CATCH_TERMINAL)

            response = page.goto(url)
            assert response is not None and response.status == 200
            wait_for(page, ["Mastodon", "Bluesky"], log)
            page.screenshot(path=str(tmp_path / "accounts.png"))

            page.evaluate("() => window.__xterms[0].focus()")
            page.keyboard.press("h")
            wait_for(page, ["Linking over SSH"], log)
            page.screenshot(path=str(tmp_path / "help.png"))

            # A browser that never saw the token (no cookie) gets nothing, not even the page.
            stranger = browser.new_context().new_page()
            for address in (f"{base}/", f"{base}/?token=wrong", f"{base}/static/js/textual.js"):
                refused = stranger.goto(address)
                assert refused is not None and refused.status == 403, address
        finally:
            browser.close()
