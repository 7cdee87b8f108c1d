"""Reading the answer of an authorization request: a redirect's query, a pasted URL, a bare code.

The loopback listener, paste-back and the served page's relay all end here, so the rules are the
same whichever way the answer arrives (the issue's "verify state exactly as for the listener").

Public API::

    parse_pasted(text: str, *, expected_state: str, redirect_uri: str, network_name: str) -> str
        The authorization code from what the user pasted or typed: the full redirect URL (its path
        must be the redirect_uri's path and its ``state`` must equal ``expected_state``), or a bare
        code as an out-of-band page shows it. For the oob redirect, the address of the network's
        code page is accepted too (a state in it is still checked).
    read_callback(params, *, expected_state: str, network_name: str) -> str
        The code from a redirect's decoded query parameters (used by the loopback listener).
    parse_query(query: str) -> dict[str, str]
        Strict query parsing: a repeated parameter is refused (ValueError), not silently picked.
    parse_pasted_oauth1(text, *, expected_token, callback_uri, network_name) -> str
    read_oauth1_callback(params, *, expected_token, network_name) -> str
        The same for OAuth 1.0a: the ``oauth_token`` must be our request token (it is 1.0a's
        state); returns the ``oauth_verifier`` (or a typed PIN).
    error_message(network_name, error, description) -> str
        A readable sentence for an RFC 6749 §4.1.2.1 error code.
    looks_like_url(text: str) -> bool
        Whether pasted text is (part of) an address rather than a bare code.
    clean_text(text: str, limit: int = 200) -> str
        Server-supplied text made safe to show: one printable line, bounded.

Two kinds of refusal, both :class:`~providers.auth.types.LinkError`:

- :class:`CallbackRejected`: the answer is not *ours* (missing or forged state, wrong address,
  junk). A flow keeps waiting for the real answer, because anyone can send junk to a loopback port
  or paste the wrong tab.
- :class:`AuthorizationRefused`: the network answered *this* request with an error (the user
  declined, a bad scope...). The flow is over.

No message ever contains the code, the state or the pasted text: they end up in UI notifications
and logs, and a code is a credential until it is exchanged.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from providers.auth.types import OOB_REDIRECT
from providers.errors import AuthorizationRefused, CallbackRejected

MAX_CODE_LENGTH = 4096
MAX_QUERY_FIELDS = 64

# Characters a code or verifier may contain once decoded: visible ASCII, no spaces.
_CODE = re.compile(rf"[!-~]{{1,{MAX_CODE_LENGTH}}}")
# What a bare (typed) code may look like: base64 / base64url / RFC 3986 unreserved, plus the few
# separators real networks use (Google "4/0A...", Flickr PINs "123-456-789"), and %XX escapes
# (a code copied out of an address bar is decoded once). Anything else, such
# as "?", "&", "#", quotes, spaces or a URL scheme, means the user pasted something else.
_BARE_CODE = re.compile(rf"(?:[A-Za-z0-9\-._~+/=:!*,;@$]|%[0-9A-Fa-f]{{2}}){{4,{MAX_CODE_LENGTH}}}")
_URLISH = re.compile(r"://|^[?/]|[?&#]|(^|[?&])(code|state|error|oauth_token|oauth_verifier)=")


_ERRORS: dict[str, str] = {
    "invalid_request": "rejected linkdeck's sign-in request as malformed",
    "unauthorized_client": "does not allow linkdeck's app to sign in this way",
    "unsupported_response_type": "does not offer the authorization-code sign-in linkdeck uses",
    "invalid_scope": "rejected the permissions linkdeck asked for",
    "server_error": "had an internal error during sign-in; try again in a moment",
    "temporarily_unavailable": "is temporarily unavailable; try again in a moment",
    "login_required": "needs you to sign in first",
    "consent_required": "needs your consent before linking",
    "interaction_required": "needs you to finish the sign-in in the browser",
    "account_selection_required": "needs you to choose an account in the browser",
    "invalid_request_uri": "rejected the sign-in request",
}


def clean_text(text: str, limit: int = 200) -> str:
    """A server-supplied description, made safe to show: one line, printable, bounded."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_message(network_name: str, error: str, description: str | None = None) -> str:
    """A sentence for an authorization error code, naming the network."""
    code = clean_text(error, 60) or "unknown_error"
    if code == "access_denied":
        return (
            f"{network_name}: you declined access, so nothing was linked. Start again if that was a mistake."
        )
    what = _ERRORS.get(code, "refused the sign-in")
    detail = clean_text(description) if description else ""
    return f"{network_name} {what} ({code}{': ' + detail if detail else ''})."


def parse_query(query: str) -> dict[str, str]:
    """Decode ``a=1&b=2``. ValueError when a parameter repeats (which of two states or codes would
    be "the" one is exactly the ambiguity an attacker wants) or there are too many fields."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:
        raise ValueError("too many parameters") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise ValueError(f"the parameter {name!r} appears more than once")
        params[name] = value
    return params


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _check_code(value: str, network_name: str, what: str = "code") -> str:
    if not _CODE.fullmatch(value):
        raise CallbackRejected(f"{network_name}: the {what} in this answer is malformed; nothing was linked.")
    return value


def _state_problem(network_name: str, state: str | None, expected_state: str) -> CallbackRejected | None:
    if not state:
        return CallbackRejected(
            f"{network_name}: this answer has no state, so linkdeck cannot tell it answers this link "
            "request; it was refused. Use the address from the browser tab this link opened."
        )
    if not _same(state, expected_state):
        return CallbackRejected(
            f"{network_name}: this answer belongs to a different link request (its state does not "
            "match); it was refused. Use the address from the browser tab this link opened."
        )
    return None


def read_callback(params: Mapping[str, str], *, expected_state: str, network_name: str) -> str:
    """The authorization code from a redirect's parameters, after checking the state.

    The state is checked before anything else, errors included: an unauthenticated
    ``error=access_denied`` must not be able to end somebody's flow."""
    problem = _state_problem(network_name, params.get("state"), expected_state)
    if problem is not None:
        raise problem
    if "error" in params:
        raise AuthorizationRefused(
            error_message(network_name, params["error"], params.get("error_description"))
        )
    code = params.get("code")
    if not code:
        raise CallbackRejected(f"{network_name}: this answer has no authorization code; nothing was linked.")
    return _check_code(code, network_name)


def _split_pasted(
    text: str, redirect_uri: str, network_name: str, *, check_path: bool = True
) -> dict[str, str]:
    parts = urlsplit(text)
    expected_path = urlsplit(redirect_uri).path or "/"
    if check_path and (parts.path or "/") != expected_path:
        raise CallbackRejected(
            f"{network_name}: the pasted address is not linkdeck's redirect address (expected the path "
            f"{expected_path}); paste the whole address of the page the browser ended on."
        )
    try:
        return parse_query(parts.query)
    except ValueError as exc:
        raise CallbackRejected(f"{network_name}: the pasted address was refused: {exc}.") from None


def _bare(text: str, network_name: str, what: str) -> str:
    if _URLISH.search(text) or not _BARE_CODE.fullmatch(text):
        raise CallbackRejected(
            f"{network_name}: that does not look like a {what} or a redirect address. Paste the code "
            "exactly as the page shows it, or the whole address the browser ended on."
        )
    if "%" in text:  # copied out of an address bar
        decoded = unquote(text)
        return _check_code(decoded, network_name, what)
    return text


def looks_like_url(text: str) -> bool:
    """True when ``text`` is (part of) an address rather than a bare code."""
    return bool(_URLISH.search(text.strip()))


def parse_pasted(text: str, *, expected_state: str, redirect_uri: str, network_name: str) -> str:
    """The code from a pasted redirect URL (state checked exactly as the listener does) or a bare
    code (as an out-of-band page shows it). Raises :class:`CallbackRejected` or
    :class:`AuthorizationRefused`."""
    text = text.strip()
    if not text:
        raise CallbackRejected(f"{network_name}: nothing was pasted.")
    if not looks_like_url(text):
        return _bare(text, network_name, "code")
    oob = redirect_uri == OOB_REDIRECT
    params = _split_pasted(text, redirect_uri, network_name, check_path=not oob)
    if "error" in params and not params.get("state"):
        # The user pasted an error page's address themselves; say what the network said rather
        # than complain about the state (a state-less error can only end the user's own flow).
        raise AuthorizationRefused(
            error_message(network_name, params["error"], params.get("error_description"))
        )
    if oob and not params.get("state"):
        # The address of an out-of-band page (Mastodon shows the code at /oauth/authorize/native
        # ?code=...): it carries no state, exactly like the bare code shown on it, accepted too.
        if not params.get("code"):
            raise CallbackRejected(f"{network_name}: this address has no authorization code; paste the code.")
        return _check_code(params["code"], network_name)
    return read_callback(params, expected_state=expected_state, network_name=network_name)


def read_oauth1_callback(params: Mapping[str, str], *, expected_token: str, network_name: str) -> str:
    """The ``oauth_verifier`` from an OAuth 1.0a callback. ``oauth_token`` must be our request
    token: in OAuth 1.0a it plays the part of OAuth 2's state."""
    denied = params.get("denied")
    if denied is not None:
        if not _same(denied, expected_token):
            raise CallbackRejected(
                f"{network_name}: this answer belongs to a different link request; refused."
            )
        raise AuthorizationRefused(error_message(network_name, "access_denied"))
    token = params.get("oauth_token")
    if not token and "error" in params:
        raise CallbackRejected(
            f"{network_name} reported an error ({clean_text(params['error'], 60)}) without saying which "
            "link request it answers, so it was ignored. If you declined access, cancel linking."
        )
    if not token:
        raise CallbackRejected(
            f"{network_name}: this answer has no oauth_token, so linkdeck cannot tell it answers this "
            "link request; it was refused."
        )
    if not _same(token, expected_token):
        raise CallbackRejected(
            f"{network_name}: this answer belongs to a different link request (its oauth_token is not "
            "the one linkdeck asked for); it was refused."
        )
    verifier = params.get("oauth_verifier")
    if not verifier:
        raise CallbackRejected(f"{network_name}: this answer has no oauth_verifier; nothing was linked.")
    return _check_code(verifier, network_name, "verifier")


def parse_pasted_oauth1(text: str, *, expected_token: str, callback_uri: str, network_name: str) -> str:
    """The verifier from a pasted OAuth 1.0a callback URL, or a typed verifier / PIN."""
    text = text.strip()
    if not text:
        raise CallbackRejected(f"{network_name}: nothing was pasted.")
    if not looks_like_url(text):
        return _bare(text, network_name, "verifier or PIN")
    params = _split_pasted(text, callback_uri, network_name)
    if "error" in params and not params.get("oauth_token"):
        # As for OAuth 2: the user pasted the error address themselves (authlib-style servers send
        # error=access_denied without the token), so report what the network said.
        raise AuthorizationRefused(
            error_message(network_name, params["error"], params.get("error_description"))
        )
    return read_oauth1_callback(params, expected_token=expected_token, network_name=network_name)
