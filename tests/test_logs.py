"""The log file never holds a secret, whatever a module logs."""

from __future__ import annotations

import logging
from pathlib import Path

from providers import logs, paths

SECRETS = [
    "ya29.a0AfH6SMBx-secret-access",
    "1//0gRefreshSecret-xyz",
    "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJl",
    "code-4f7c1e9a",
    "hunter2-app-pass",
]


def test_redact_known_shapes() -> None:
    assert logs.redact("GET /me?access_token=abc&fields=id") == "GET /me?access_token=***&fields=id"
    assert logs.redact('{"refresh_token": "rt1", "scope": "x"}') == '{"refresh_token": "***", "scope": "x"}'
    assert logs.redact("Authorization: Bearer abc.def") == "Authorization: Bearer ***"


def test_nothing_secret_reaches_the_file(linkdeck_home: Path) -> None:
    logs._configured = False
    logs.setup(logging.DEBUG)
    log = logging.getLogger("linkdeck.test")
    log.info("token answer %s", {"access_token": SECRETS[0], "refresh_token": SECRETS[1]})
    log.info("redirect http://127.0.0.1:8765/callback?code=%s&state=s", SECRETS[3])
    log.warning("header Authorization: Bearer %s", SECRETS[2])
    log.debug('form {"password": "%s"}', SECRETS[4])
    try:
        raise ValueError(f"refused access_token={SECRETS[0]}")
    except ValueError:
        log.exception("failed")
    logging.getLogger("httpx2").info("GET https://graph.example/me?access_token=%s", SECRETS[0])
    for handler in logging.getLogger("linkdeck").handlers:
        handler.flush()
    text = paths.log_file().read_text(encoding="utf-8")
    assert "token answer" in text and "failed" in text and "ValueError" in text
    for secret in SECRETS:
        assert secret not in text
    assert paths.log_file().stat().st_mode & 0o777 == 0o600
    for handler in list(logging.getLogger("linkdeck").handlers):
        logging.getLogger("linkdeck").removeHandler(handler)
    logs._configured = False
