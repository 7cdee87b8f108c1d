"""``linkdeck link NETWORK --no-browser`` driven as a person at a terminal would, against the
sandbox: Allow on the consent page, the redirect pasted back, then any typed answers (a place, a
name), then the choice whose line contains the wanted text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tests.sandbox_browser import approve
from tests.support.cli import start_cli


def link_choosing(
    env: dict[str, str], network: str, wanted: str, typed: Sequence[str] = (), user: str = "alice"
) -> tuple[int, str, str, str]:
    """(exit code, stdout, stderr, the authorize URL)."""
    process = start_cli(env, "link", network, "--no-browser")
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    shown: list[str] = []
    url = ""
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http") and not url:
            url = line.strip()
            answer = approve(url, user=user)
            assert answer.status_code == 302, answer.text[:300]
            process.stdin.write("".join(f"{text}\n" for text in (answer.headers["location"], *typed)))
            process.stdin.flush()
        elif "Type a number" in line:
            number = next(s.split()[0] for s in shown if wanted in s and s.strip()[:1].isdigit())
            process.stdin.write(number + "\n")
            process.stdin.close()
            break
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err, url


def link_pasting(
    env: dict[str, str], network: str, answer: Callable[[str], str], *options: str
) -> tuple[int, str, str, str]:
    """``link NETWORK --no-browser OPTIONS`` where the person pastes one answer for the printed
    address: ``answer(url)`` is what they type (the redirect address, a PIN).
    (exit code, stdout, stderr, url)."""
    process = start_cli(env, "link", network, *options, "--no-browser")
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    shown: list[str] = []
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http"):
            break
    else:
        out, err = process.communicate(timeout=30)
        raise AssertionError(f"no URL printed: {''.join(shown)}{out}{err}")
    url = line.strip()
    # Not communicate(): it reads the raw pipe and would lose what this text wrapper has buffered.
    process.stdin.write(answer(url) + "\n")
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err, url


def redirect_after_allow(url: str) -> str:
    """What a person pastes after Allow on a consent page that redirects: the address it ends on."""
    consent = approve(url)
    assert consent.status_code == 302, consent.text[:300]
    return str(consent.headers["location"])
