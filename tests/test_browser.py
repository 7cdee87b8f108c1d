"""`linkdeck serve` end to end: Debian's Chromium opens the printed URL and drives the real TUI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import ROOT
from tests.support.ports import free_port
from tests.support.processes import stop
from tests.support.required import chromium_or_missing, module_or_missing

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
APP_START_MS = 60_000  # one app process starts per websocket; cold imports on a busy box are slow

pytestmark = [pytest.mark.browser]
chromium_or_missing(str(CHROMIUM))
sync_api: Any = module_or_missing("playwright.sync_api", "needs the playwright Python package")

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


def start_serve(env: dict[str, str], log: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """`linkdeck serve --port 0 OPTIONS` in a subprocess, its stderr into ``log``; the process and
    the line it printed."""
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", "--port", "0", *options],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().decode().strip()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`serve(port=0)` in a subprocess with its own LINKDECK_HOME; yields the URL and its stderr log."""
    log = tmp_path / "serve.stderr"
    env = {**os.environ, "LINKDECK_HOME": str(tmp_path / "home"), "TEXTUAL_ANIMATIONS": "none"}
    proc, url = start_serve(env, log)
    try:
        assert url.startswith("http://127.0.0.1:"), f"no URL printed; stderr:\n{log.read_text()}"
        yield url, log
    finally:
        stop(proc)


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


def open_tab(browser: Any, url: str) -> Any:
    """A page on ``url`` that reaches only the served page (no fonts from the internet), with the
    terminal caught for reading."""
    base = url.split("/?", 1)[0]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(APP_START_MS)
    page.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
    )
    page.add_init_script(CATCH_TERMINAL)
    response = page.goto(url)
    assert response is not None and response.status == 200
    return page


def test_the_served_tab_takes_the_keyboard_on_load(served: tuple[str, Path]) -> None:
    """Issue 10 item 9: a key pressed after the page loads reaches the app, with no click first."""
    url, log = served
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = open_tab(browser, url)
            wait_for(page, ["Mastodon", "Bluesky"], log)
            assert page.evaluate("() => document.activeElement.classList.contains('xterm-helper-textarea')")
            page.keyboard.press("h")
            wait_for(page, ["Linking over SSH"], log)
        finally:
            browser.close()


def test_serve_demo_runs_the_demo_in_a_tab(tmp_path: Path) -> None:
    """`linkdeck serve --demo`: the tab runs the app against the sandbox, and says so."""
    log = tmp_path / "serve.stderr"
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    env.pop("LINKDECK_HOME", None)  # the demo makes its own, thrown away at the end
    proc, url = start_serve(env, log, "--demo")
    try:
        assert url.startswith("http://127.0.0.1:"), f"no URL printed; stderr:\n{log.read_text()}"
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = open_tab(browser, url)
                wait_for(page, ["SANDBOX", "Mastodon", "not linked"], log)
            finally:
                browser.close()
    finally:
        stop(proc)


def test_a_link_started_in_the_browser_tab_finishes_through_the_served_callback(tmp_path: Path) -> None:
    """Served in a tab: Enter on the Mastodon card opens the network's page in a new tab of the
    user's browser (App.open_url → window.open), Allow sends the browser back to the served page's
    /oauth/callback, which relays the answer to the app session that started the flow."""
    home = tmp_path / "home"
    env = {**os.environ, "LINKDECK_HOME": str(home), "TEXTUAL_ANIMATIONS": "none"}
    env.setdefault("LINKDECK_ALLOW_PLAINTEXT_SECRETS", "1")  # outside a Secret Service session
    sandbox = subprocess.Popen(
        [sys.executable, "-c", "from providers.sandbox import run; run()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()  # Mastodon's loopback redirect port in config.toml: linkdeck binds it itself
    log = tmp_path / "serve.stderr"
    server = None
    try:
        assert sandbox.stdout is not None
        sandbox_url = sandbox.stdout.readline().decode().strip()
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text(
            f'[networks.mastodon]\nbase_url = "{sandbox_url}/mastodon.example"\nport = {port}\n',
            encoding="utf-8",
        )
        server, url = start_serve(env, log)
        base = url.split("/?", 1)[0]
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.set_default_timeout(APP_START_MS)
                local = (base, sandbox_url)
                context.route(
                    "**/*",
                    lambda route: route.continue_() if route.request.url.startswith(local) else route.abort(),
                )
                page = context.new_page()
                page.add_init_script(CATCH_TERMINAL)
                page.goto(url)
                wait_for(page, ["Mastodon", "not linked"], log)
                page.evaluate("() => window.__xterms[0].focus()")
                with context.expect_page() as opened:
                    page.keyboard.press("Enter")  # the focused first card: Mastodon
                network_tab = opened.value
                network_tab.wait_for_load_state()
                assert network_tab.url.startswith(f"{sandbox_url}/mastodon.example/oauth/authorize?")
                assert "redirect_uri=" + f"{base}/oauth/callback".replace(":", "%3A").replace("/", "%2F") in (
                    network_tab.url
                )
                network_tab.click("#allow button, form#allow [type=submit]")
                network_tab.wait_for_url(f"{base}/oauth/callback?*")
                assert "Go back to your linkdeck tab" in network_tab.content()
                wait_for(page, ["@alice@mastodon.example", "linked"], log)
                page.screenshot(path=str(tmp_path / "linked.png"))
            finally:
                browser.close()
    finally:
        for proc in (server, sandbox):
            if proc is not None:
                stop(proc)


def test_upload_in_the_served_tab_takes_a_file_from_this_browser(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    """Issue 10 item 9: Upload's "From this browser…" opens the served page's upload form in a new
    tab; the file picked there is streamed to linkdeck and shown on Upload, as if typed."""
    from tests.media_corpus import jpeg

    url, log = served
    picked = jpeg(tmp_path / "from-browser.jpg", (120, 90))
    base = url.split("/?", 1)[0]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = open_tab(browser, url)
            wait_for(page, ["Mastodon", "Bluesky"], log)
            page.keyboard.press("u")
            wait_for(page, ["From this browser"], log)
            page.keyboard.press("Tab")  # from the path box to the button
            with page.context.expect_page() as opened:
                page.keyboard.press("Enter")
            form_tab = opened.value
            form_tab.wait_for_load_state()
            assert form_tab.url.startswith(f"{base}/upload/")
            form_tab.set_input_files("input[type=file]", str(picked))
            with form_tab.expect_navigation():
                form_tab.click("button[type=submit]")
            answer = form_tab.content()
            assert "go back to your linkdeck tab" in answer, answer
            wait_for(page, ["from-browser.jpg", "JPEG · 120×90"], log)
            page.screenshot(path=str(tmp_path / "uploaded.png"))
        finally:
            browser.close()
