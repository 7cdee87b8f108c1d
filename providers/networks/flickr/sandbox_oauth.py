"""The emulated Flickr's OAuth 1.0a: it checks every signature for real (RFC 5849 §3.4, HMAC-SHA1,
written here with the standard library so it shares no code with the client's authlib), and keeps
the request tokens, verifiers and access tokens of the sandbox's Flickr.

- ``/services/oauth/request_token`` (GET or POST) wants ``oauth_callback`` (a URL or ``oob``) and a
  request signed with the consumer secret; it answers ``oauth_callback_confirmed=true``.
- ``/services/oauth/authorize?oauth_token=…&perms=read|write|delete``: the consent page; Allow
  redirects to the callback with ``oauth_token`` and ``oauth_verifier``, or, for ``oob``, shows
  the verifier (Flickr's ``123-456-789`` form) to type back.
- ``/services/oauth/access_token``: signed with the request token's secret and the verifier;
  answers the token with Flickr's ``fullname``, ``user_nsid`` and ``username``.

A bad signature, an unknown key or token, a stale timestamp or a reused nonce is refused the way
Flickr refuses it: ``oauth_problem=…`` (HTTP 401) at the OAuth endpoints; the API calls answer
their own error shapes from :mod:`.sandbox` with the code this module names (96, 98, 100).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call
from providers.emulation.grants import Clock, with_query

DEMO_KEY = "sandbox-flickr-api-key-0001"
DEMO_SECRET = "sandbox-flickr-secret"
PERMS = ("read", "write", "delete")
TIMESTAMP_WINDOW = 300  # seconds either side
REQUEST_SECONDS = 600


def enc(value: str) -> str:
    """RFC 5849 §3.6 percent-encoding: everything but the unreserved characters."""
    return quote(value, safe="~")


def base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 §3.4.1: the method, the base URI and the sorted, encoded parameters."""
    pairs = sorted((enc(k), enc(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join((method.upper(), enc(url), enc(normalized)))


def hmac_sha1(base: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{enc(consumer_secret)}&{enc(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()


def header_params(header: str) -> list[tuple[str, str]]:
    """The ``OAuth k="v", …`` Authorization header's parameters (decoded), realm left out."""
    if header[:6].lower() != "oauth ":
        return []
    found = []
    for item in header[6:].split(","):
        key, _, value = item.strip().partition("=")
        if key and key != "realm":
            found.append((unquote(key), unquote(value.strip().strip('"'))))
    return found


@dataclass
class Pending:
    token: str
    secret: str
    callback: str
    expires_at: float
    verifier: str | None = None
    user: people.User | None = None
    perms: str = ""


@dataclass
class Access:
    token: str
    secret: str
    user: people.User
    perms: str


@dataclass
class Signed:
    """A request that passed the signature check: its parameters and the token it carried."""

    params: dict[str, str]
    access: Access | None


@dataclass
class FlickrOAuth:
    clock: Clock
    pending: dict[str, Pending] = field(default_factory=dict)
    tokens: dict[str, Access] = field(default_factory=dict)
    nonces: set[tuple[str, str, str]] = field(default_factory=set)
    forms: dict[str, str] = field(default_factory=dict)  # consent form token → request token

    async def check(self, call: Call) -> Signed | tuple[str, str]:
        """The signed request's parameters, or (Flickr's error code, problem) when refused:
        100 unknown key, 96 bad signature or stale/replayed request, 98 unknown token."""
        request = call.request
        params: list[tuple[str, str]] = list(request.query.items())
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()  # already read (and cached) by the sandbox
            params += [(k, v) for k, v in form.items() if isinstance(v, str)]  # files are not signed
        oauth = header_params(request.headers.get("Authorization", ""))
        params += oauth
        given = dict(params)
        signature = given.get("oauth_signature", "")
        signed = [(k, v) for k, v in params if k != "oauth_signature"]
        if given.get("oauth_consumer_key") != DEMO_KEY:
            return "100", "consumer_key_unknown"
        if given.get("oauth_signature_method") != "HMAC-SHA1":
            return "96", "signature_method_rejected"
        token = given.get("oauth_token", "")
        access = self.tokens.get(token) if token else None
        request_token = self.pending.get(token) if token and access is None else None
        if token and access is None and request_token is None:
            return "98", "token_rejected"
        token_secret = access.secret if access else (request_token.secret if request_token else "")
        # The address the client signed: Flickr's own (linkdeck signs before the sandbox rule
        # rewrites it), or the sandbox's (a client library pointed at the sandbox signs that).
        urls = (f"https://{call.host}{call.path}", f"{call.base}{call.path}")
        bases = [base_string(call.method, url, signed) for url in urls]
        expected = [hmac_sha1(base, DEMO_SECRET, token_secret) for base in bases]
        if not any(hmac.compare_digest(one, signature) for one in expected):
            return "96", "signature_invalid"
        stamp = given.get("oauth_timestamp", "")
        if not stamp.isdigit() or abs(int(stamp) - self.clock.now()) > TIMESTAMP_WINDOW:
            return "96", "timestamp_refused"
        nonce = (DEMO_KEY, stamp, given.get("oauth_nonce", ""))
        if not nonce[2] or nonce in self.nonces:
            return "96", "nonce_used"
        self.nonces.add(nonce)
        return Signed(dict(signed), access)

    @staticmethod
    def problem(problem: str) -> web.Response:
        return web.Response(text=f"oauth_problem={problem}", status=401, content_type="text/plain")

    async def request_token(self, call: Call) -> web.Response:
        checked = await self.check(call)
        if not isinstance(checked, Signed):
            return self.problem(checked[1])
        callback = checked.params.get("oauth_callback", "")
        if not callback or checked.access is not None:
            return self.problem("parameter_absent" if not callback else "token_rejected")
        token, secret = secrets.token_hex(17), secrets.token_hex(8)
        self.pending[token] = Pending(token, secret, callback, self.clock.now() + REQUEST_SECONDS)
        body = f"oauth_callback_confirmed=true&oauth_token={token}&oauth_token_secret={secret}"
        return web.Response(text=body, content_type="text/plain")

    def authorize(self, call: Call) -> web.Response:
        pending = self.pending.get(call.text("oauth_token") or "")
        if pending is None or pending.expires_at < self.clock.now() or pending.verifier:
            return pages.error("invalid_token", "Oops! Flickr doesn't recognise the permission set.")
        perms = call.text("perms") or ""
        if perms not in PERMS:
            return pages.error("invalid_perms", "Flickr needs perms=read, write or delete.")
        pending.perms = perms
        form = secrets.token_urlsafe(18)
        self.forms[form] = pending.token
        return pages.consent(
            f"{call.prefix}/services/oauth/authorize", "Flickr", call.host, "linkdeck", None, [perms], form
        )

    def decide(self, call: Call) -> web.Response:
        pending = self.pending.get(self.forms.pop(call.text("form_token") or "", ""))
        if pending is None:
            return pages.error("invalid_request", "This authorization request was already answered.")
        if call.text("decision") != "allow":
            self.pending.pop(pending.token, None)
            return pages.error("access_denied", "You didn't authorize linkdeck; nothing was shared.", 403)
        who = people.user(call.text("user"))
        if who is None:
            return pages.error("invalid_request", "Unknown user.")
        pending.user = who
        pending.verifier = "-".join(f"{secrets.randbelow(1000):03d}" for _ in range(3))
        if pending.callback == "oob":
            return pages.code(pending.verifier)
        raise web.HTTPFound(
            with_query(pending.callback, {"oauth_token": pending.token, "oauth_verifier": pending.verifier})
        )

    async def access_token(self, call: Call) -> web.Response:
        checked = await self.check(call)
        if not isinstance(checked, Signed):
            return self.problem(checked[1])
        pending = self.pending.get(checked.params.get("oauth_token", ""))
        verifier = checked.params.get("oauth_verifier", "")
        if pending is None or pending.user is None or not pending.verifier:
            return self.problem("token_rejected")
        if not hmac.compare_digest(pending.verifier, verifier):
            return self.problem("verifier_invalid")
        del self.pending[pending.token]
        who = pending.user
        access = Access(secrets.token_hex(17), secrets.token_hex(8), who, pending.perms)
        self.tokens[access.token] = access
        body = {
            "fullname": who.display_name,
            "oauth_token": access.token,
            "oauth_token_secret": access.secret,
            "user_nsid": nsid(who),
            "username": who.username,
        }
        text = "&".join(f"{k}={enc(v)}" for k, v in body.items())
        return web.Response(text=text, content_type="text/plain")


def nsid(who: people.User) -> str:
    """A Flickr-shaped NSID for a demo user."""
    return f"{who.id[-8:]}@N01"


_WORLDS: weakref.WeakKeyDictionary[Clock, Any] = weakref.WeakKeyDictionary()


def shared(clock: Clock, make: Any) -> Any:
    """The one state of this sandbox's Flickr hosts (made by ``make(clock)`` the first time)."""
    found = _WORLDS.get(clock)
    if found is None:
        found = _WORLDS[clock] = make(clock)
    return found
