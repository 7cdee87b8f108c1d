"""Telegram end to end through the command line, as a user runs it: ``linkdeck sandbox`` in one
process, ``linkdeck link telegram`` (the bot token pasted, then the chat chosen by number),
``post`` (a photo, then an album) with its links, ``accounts`` and ``unlink`` in others; the
requests go to the sandbox through LINKDECK_SANDBOX_URL, as they would go to api.telegram.org."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers.networks.telegram.sandbox import DEMO_TOKEN
from providers.settings import Settings
from providers.vault import PLAINTEXT_FILENAME, Vault
from tests import media_corpus
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.processes import SandboxProcess


@pytest.fixture
def env(env: dict[str, str], sandbox_process: SandboxProcess) -> dict[str, str]:
    return {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url}


def posts(sandbox: SandboxProcess) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx2.get(
        f"{sandbox.url}/__sandbox__/posts", params={"host": "api.telegram.org"}, timeout=10
    ).json()["posts"]
    return found


def secret_files(root: Path, secret: str) -> list[str]:
    return [
        str(p)
        for p in root.rglob("*")
        if p.is_file() and p.name != PLAINTEXT_FILENAME and secret.encode() in p.read_bytes()
    ]


def test_link_post_with_media_get_links_and_unlink(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path, tmp_path: Path
) -> None:
    # The token, the chat left empty (choose from what the bot has seen), then choice 1.
    linked = run_cli(env, "link", "telegram", "--no-browser", stdin=f"{DEMO_TOKEN}\n\n1\n")
    assert linked.returncode == 0, linked.stderr
    assert "channel: Harbour News (@harbour_news)" in linked.stdout
    assert "chat: Harbour crew (private group: posts get no public link)" in linked.stdout
    assert "Old harbour archive" not in linked.stdout  # the bot was removed from it
    assert "Linked @linkdeck_demo_bot (linkdeck demo) on Telegram" in linked.stdout
    [account] = json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"]
    assert (account["network"], account["target_name"]) == ("telegram", "Harbour News (@harbour_news)")

    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    sent = run_cli(env, "post", str(photo), "--to", "telegram", "--caption", "Low tide", "--json")
    assert sent.returncode == 0, sent.stderr
    [delivery] = json.loads(sent.stdout)["deliveries"]
    assert delivery["state"] == "sent" and delivery["url"].startswith("https://t.me/harbour_news/")

    second = media_corpus.jpeg(tmp_path / "boats.jpg", (600, 800))
    album = run_cli(env, "post", str(photo), str(second), "--to", "telegram", "--caption", "Two views")
    assert album.returncode == 0, album.stderr
    assert "https://t.me/harbour_news/" in album.stdout
    assert [(p["text"], p["media"]) for p in posts(sandbox_process)] == [("Low tide", 1), ("Two views", 2)]

    unlinked = run_cli(env, "unlink", "telegram", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "/revoke" in unlinked.stdout and "@BotFather" in unlinked.stdout
    assert json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"] == []
    assert Vault(Settings(allow_plaintext_secrets=True)).get_token(account["vault_key"]) is None

    outputs = linked.stdout + linked.stderr + sent.stdout + album.stdout + unlinked.stdout
    assert DEMO_TOKEN not in outputs and secret_files(linkdeck_home, DEMO_TOKEN) == []
    _, log = sandbox_process.stop()
    assert "/api.telegram.org/bot<token>/sendMediaGroup 200" in log and DEMO_TOKEN not in log


def test_a_token_that_is_not_one_is_refused_before_anything_is_sent(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    done = run_cli(env, "link", "telegram", "--no-browser", stdin="my password\n\n")
    assert done.returncode == 1 and "is not a Telegram bot token" in done.stderr
    assert sandbox_process.requests() == []


class Terminal:
    """``linkdeck ARGS`` on a pseudo-terminal, as a person at a keyboard runs it (getpass reads the
    token from the terminal without echoing it)."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the command, with the terminal as its stdin, stdout, stderr
            os.chdir(ROOT)
            os.execve(sys.executable, [*CLI, *args], env)
        self.shown = b""

    def until(self, text: str, seconds: float = 60) -> str:
        """What it showed, once ``text`` is on the screen (select() waits for output, no sleeps)."""
        for _ in range(int(seconds / 0.25)):
            if text.encode() in self.shown:
                break
            ready, _, _ = select.select([self.fd], [], [], 0.25)
            if ready:
                try:
                    self.shown += os.read(self.fd, 4096)
                except OSError:  # the command ended
                    break
        assert text.encode() in self.shown, self.shown.decode(errors="replace")
        return self.shown.decode()

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def close(self) -> int:
        """Read to the end (the command exits by itself), then its exit code."""
        for _ in range(240):
            ready, _, _ = select.select([self.fd], [], [], 0.25)
            try:
                if ready and not os.read(self.fd, 4096):
                    break
            except OSError:  # the terminal closed with the command
                break
        else:  # still running after a minute: stop it (the test then fails on its exit code)
            os.kill(self.pid, signal.SIGTERM)
        code = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        os.close(self.fd)
        return code


def test_the_token_prompt_at_a_terminal_is_the_documented_route(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    terminal = Terminal(env, "link", "telegram", "--no-browser")
    try:
        shown = terminal.until("\nBot token: ")  # the prompt, after the hints
        # What the set-up guide and Help say: @BotFather, /newbot, the keyring; then the chat.
        assert "Link Telegram:" in shown and "Bot token: from @BotFather (https://t.me/BotFather)" in shown
        assert (
            "send /newbot" in shown and "system keyring" in shown and "Channel or group: its @name" in shown
        )
        terminal.type(DEMO_TOKEN)
        terminal.until("Channel or group (optional): ")
        terminal.type("")
        terminal.until("Type a number:")
        terminal.type("1")
        shown = terminal.until("Linked @linkdeck_demo_bot (linkdeck demo) on Telegram")
    finally:
        code = terminal.close()
    assert code == 0 and DEMO_TOKEN not in shown  # typed, never echoed
