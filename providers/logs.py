"""linkdeck's log file, with secrets scrubbed on the way in.

Every module logs under ``linkdeck.*``; this sets up one rotating file in the data folder
(``paths.log_file()``, mode 0600). Tokens must never reach it, so a filter rewrites each record
through :func:`redact` before any handler formats it: query and form parameters that carry secrets
(``access_token=``, ``code=``, ``client_secret=``…), ``Bearer``/``DPoP`` credentials, JSON fields
with secret names, JWT-shaped strings, and a bot token in a URL path (``/bot<token>/``, the Bot
API's form). HTTP client libraries log full request URLs at INFO (some networks put tokens in query
strings or paths), so they are held at WARNING.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re

from providers import paths

SECRET_NAMES = (
    "access_token|refresh_token|id_token|token|code|code_verifier|client_secret|password|"
    "oauth_token|oauth_token_secret|oauth_verifier|state|accessJwt|refreshJwt|api_key|apikey"
)
_PATTERNS = (
    re.compile(rf"(?i)\b({SECRET_NAMES})=([^&\s\"']+)"),
    re.compile(rf"(?i)([\"'])({SECRET_NAMES})\1\s*:\s*([\"'])[^\"']*\3"),  # JSON or a dict's repr
    re.compile(r"(?i)\b(bearer|dpop|basic)\s+[A-Za-z0-9\-._~+/]+=*"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),  # a JWT
    re.compile(r"/bot\d+:[A-Za-z0-9_-]+"),  # a bot token in a URL path (/bot<token>/<method>)
)
NOISY = ("httpx2", "httpx", "httpcore", "authlib", "aiohttp.access", "urllib3")


def redact(text: str) -> str:
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}=***", text)
    text = _PATTERNS[1].sub(lambda m: f"{m[1]}{m[2]}{m[1]}: {m[3]}***{m[3]}", text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)} ***", text)
    text = _PATTERNS[3].sub("***", text)
    return _PATTERNS[4].sub("/bot***", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:  # format the traceback now, so it is scrubbed too
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = redact(message), ()
        return True


_configured = False


def setup(level: int = logging.INFO) -> None:
    """Log ``linkdeck.*`` to the data folder's file (idempotent)."""
    global _configured
    if _configured:
        return
    path = paths.log_file()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    os.chmod(path, 0o600)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("linkdeck")
    logger.addHandler(handler)
    logger.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    _configured = True
