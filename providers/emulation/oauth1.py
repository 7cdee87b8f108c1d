"""An emulated OAuth 1.0a provider (RFC 5849) that checks every signature for real: HMAC-SHA1 over
the base string, written here with the standard library so it shares no code with the client's
authlib; timestamps within a window; each nonce once. Networks that sign in this way (Flickr, X's
PIN route) each make one :class:`OAuth1Provider` with their demo key and secret, and say how they
word a refusal, show a verifier and answer the access-token call.

- request token (GET or POST): wants ``oauth_callback`` (a URL or ``oob``) and a request signed
  with the consumer secret; answers ``oauth_callback_confirmed=true``;
- authorize: the consent page; Allow redirects to the callback with ``oauth_token`` and
  ``oauth_verifier``, or, for ``oob``, shows the verifier to type back (the PIN);
- access token: signed with the request token's secret and the verifier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call
from providers.emulation.grants import Clock, with_query

TIMESTAMP_WINDOW = 300  # seconds either side
REQUEST_SECONDS = 600

# Why a signed request was refused (each network words and numbers these its own way).
UNKNOWN_KEY = "consumer_key_unknown"
BAD_METHOD = "signature_method_rejected"
UNKNOWN_TOKEN = "token_rejected"
BAD_SIGNATURE = "signature_invalid"
STALE = "timestamp_refused"
REPLAYED = "nonce_used"


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
class OAuth1Provider:
    """One network's OAuth 1.0a server state and endpoints. ``name`` is shown on the consent page;
    ``make_verifier`` makes the code an ``oob`` client types back; ``access_fields`` is the
    access-token answer's account fields; ``perms`` the accepted ``perms`` values (None: the
    network has none)."""

    clock: Clock
    name: str
    consumer_key: str
    consumer_secret: str
    authorize_path: str
    make_verifier: Callable[[], str]
    access_fields: Callable[[Access], dict[str, str]]
    perms: tuple[str, ...] | None = None
    # Flickr signs an upload's multipart fields as if they were a form; others (X) sign only the
    # query and a urlencoded form. Files are never signed.
    signs_multipart_fields: bool = False
    pending: dict[str, Pending] = field(default_factory=dict)
    tokens: dict[str, Access] = field(default_factory=dict)
    nonces: set[tuple[str, str, str]] = field(default_factory=set)
    forms: dict[str, str] = field(default_factory=dict)  # consent form token → request token

    async def check(self, call: Call) -> Signed | str:
        """The signed request's parameters, or why it was refused (one of the names above)."""
        request = call.request
        params: list[tuple[str, str]] = list(request.query.items())
        if request.content_type == "application/x-www-form-urlencoded" or (
            self.signs_multipart_fields and request.content_type == "multipart/form-data"
        ):
            form = await request.post()  # already read (and cached) by the sandbox
            params += [(k, v) for k, v in form.items() if isinstance(v, str)]
        params += header_params(request.headers.get("Authorization", ""))
        given = dict(params)
        signature = given.get("oauth_signature", "")
        signed = [(k, v) for k, v in params if k != "oauth_signature"]
        if given.get("oauth_consumer_key") != self.consumer_key:
            return UNKNOWN_KEY
        if given.get("oauth_signature_method") != "HMAC-SHA1":
            return BAD_METHOD
        token = given.get("oauth_token", "")
        access = self.tokens.get(token) if token else None
        request_token = self.pending.get(token) if token and access is None else None
        if token and access is None and request_token is None:
            return UNKNOWN_TOKEN
        token_secret = access.secret if access else (request_token.secret if request_token else "")
        # The address the client signed: the network's own (linkdeck signs before the sandbox
        # rule rewrites it), or the sandbox's (a client library pointed at the sandbox signs that).
        urls = (f"https://{call.host}{call.path}", f"{call.base}{call.path}")
        bases = [base_string(call.method, url, signed) for url in urls]
        expected = [hmac_sha1(base, self.consumer_secret, token_secret) for base in bases]
        if not any(hmac.compare_digest(one, signature) for one in expected):
            return BAD_SIGNATURE
        stamp = given.get("oauth_timestamp", "")
        if not stamp.isdigit() or abs(int(stamp) - self.clock.now()) > TIMESTAMP_WINDOW:
            return STALE
        nonce = (self.consumer_key, stamp, given.get("oauth_nonce", ""))
        if not nonce[2] or nonce in self.nonces:
            return REPLAYED
        self.nonces.add(nonce)
        return Signed(dict(signed), access)

    @staticmethod
    def problem(problem: str) -> web.Response:
        return web.Response(text=f"oauth_problem={problem}", status=401, content_type="text/plain")

    async def request_token(self, call: Call) -> web.Response:
        checked = await self.check(call)
        if not isinstance(checked, Signed):
            return self.problem(checked)
        callback = checked.params.get("oauth_callback", "")
        if not callback or checked.access is not None:
            return self.problem("parameter_absent" if not callback else UNKNOWN_TOKEN)
        token, secret = secrets.token_hex(17), secrets.token_hex(8)
        self.pending[token] = Pending(token, secret, callback, self.clock.now() + REQUEST_SECONDS)
        body = f"oauth_callback_confirmed=true&oauth_token={token}&oauth_token_secret={secret}"
        return web.Response(text=body, content_type="text/plain")

    def authorize(self, call: Call) -> web.Response:
        pending = self.pending.get(call.text("oauth_token") or "")
        if pending is None or pending.expires_at < self.clock.now() or pending.verifier:
            return pages.error("invalid_token", f"{self.name} does not recognise this request token.")
        scopes: list[str] = []
        if self.perms is not None:
            perms = call.text("perms") or ""
            if perms not in self.perms:
                return pages.error("invalid_perms", f"{self.name} needs perms={', '.join(self.perms)}.")
            pending.perms, scopes = perms, [perms]
        form = secrets.token_urlsafe(18)
        self.forms[form] = pending.token
        return pages.consent(
            f"{call.prefix}{self.authorize_path}", self.name, call.host, "linkdeck", None, scopes, form
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
        pending.verifier = self.make_verifier()
        if pending.callback == "oob":
            return pages.code(pending.verifier)
        raise web.HTTPFound(
            with_query(pending.callback, {"oauth_token": pending.token, "oauth_verifier": pending.verifier})
        )

    async def access_token(self, call: Call) -> web.Response:
        checked = await self.check(call)
        if not isinstance(checked, Signed):
            return self.problem(checked)
        pending = self.pending.get(checked.params.get("oauth_token", ""))
        verifier = checked.params.get("oauth_verifier", "")
        if pending is None or pending.user is None or not pending.verifier:
            return self.problem(UNKNOWN_TOKEN)
        if not hmac.compare_digest(pending.verifier, verifier):
            return self.problem("verifier_invalid")
        del self.pending[pending.token]
        access = Access(secrets.token_hex(17), secrets.token_hex(8), pending.user, pending.perms)
        self.tokens[access.token] = access
        body = {"oauth_token": access.token, "oauth_token_secret": access.secret}
        body |= self.access_fields(access)
        text = "&".join(f"{k}={enc(v)}" for k, v in sorted(body.items()))
        return web.Response(text=text, content_type="text/plain")
