"""A small OAuth 1.0a server (authlib's Flask integration) that behaves like Flickr's, for tests.

Nothing else local speaks OAuth 1.0a. The caveat: it shares authlib's reading of RFC 5849 with our
client (authlib's AsyncOAuth1Client), so it proves the engine's flow logic (callback vs oob, token
binding, verifier exchange, signed requests) rather than interop with a second implementation.

Endpoints (all under the base URL):
    POST /oauth/request_token   temporary credentials (oauth_callback = a URL or "oob")
    GET  /oauth/authorize       "the user" approves at once as alice: a 302 to the callback with
                                oauth_token + oauth_verifier; for oob, a page showing the PIN;
                                ?deny=1 declines (authlib redirects with error=access_denied)
    POST /oauth/access_token    token credentials, plus Flickr's extra fields (user_nsid, username)
    GET  /api/me                a signed resource request, to prove the token works
    POST /api/upload            a signed multipart upload the way Flickr's is signed: every form
                                field in the signature, the file not; answers the fields and
                                the file's size

Run in a thread with werkzeug's ``make_server`` on 127.0.0.1 (see :func:`serve`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from authlib.integrations.flask_oauth1 import (
    AuthorizationServer,
    ResourceProtector,
    current_credential,
    register_nonce_hooks,
    register_temporary_credential_hooks,
)
from authlib.integrations.flask_oauth1.cache import create_exists_nonce_func
from authlib.oauth1 import ClientMixin, TokenCredentialMixin
from authlib.oauth1.errors import OAuth1Error
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

CONSUMER_KEY = "linkdeck-flickr-test"
CONSUMER_SECRET = "ci-only-consumer-secret"


class _Cache:
    """The five-method cache authlib's hooks want, in memory."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            return self.data.get(key)

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        with self.lock:
            self.data[key] = value

    def delete(self, key: str) -> None:
        with self.lock:
            self.data.pop(key, None)

    def has(self, key: str) -> bool:
        with self.lock:
            return key in self.data


class _Client(ClientMixin):  # type: ignore[misc]
    client_id = CONSUMER_KEY

    def get_default_redirect_uri(self) -> str:
        return "oob"

    def get_client_secret(self) -> str:
        return CONSUMER_SECRET

    def get_rsa_public_key(self) -> None:
        return None


class _Token(dict[str, Any], TokenCredentialMixin):  # type: ignore[misc]
    def get_oauth_token(self) -> str:
        return str(self["oauth_token"])

    def get_oauth_token_secret(self) -> str:
        return str(self["oauth_token_secret"])


class _User:
    def get_user_id(self) -> str:
        return "alice"


@dataclass
class OAuth1Server:
    base_url: str
    tokens: dict[str, _Token]

    @property
    def request_token_url(self) -> str:
        return f"{self.base_url}/oauth/request_token"

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/oauth/authorize"

    @property
    def access_token_url(self) -> str:
        return f"{self.base_url}/oauth/access_token"


def create_app(tokens: dict[str, _Token]) -> Flask:
    app = Flask("linkdeck-oauth1-test")
    cache = _Cache()

    def query_client(client_id: str) -> _Client | None:
        return _Client() if client_id == CONSUMER_KEY else None

    server = AuthorizationServer(app, query_client=query_client)
    register_nonce_hooks(server, cache)
    register_temporary_credential_hooks(server, cache)

    def create_token_credential(token: dict[str, Any], temporary: Any) -> _Token:
        credential = _Token(token, user_id=temporary.get_user_id())
        tokens[credential.get_oauth_token()] = credential
        return credential

    server.register_hook("create_token_credential", create_token_credential)

    def query_token(client_id: str, oauth_token: str) -> _Token | None:
        return tokens.get(oauth_token) if client_id == CONSUMER_KEY else None

    protect = ResourceProtector(
        app, query_client=query_client, query_token=query_token, exists_nonce=create_exists_nonce_func(cache)
    )

    @app.post("/oauth/request_token")
    def request_token() -> Any:
        return server.create_temporary_credentials_response()

    @app.get("/oauth/authorize")
    def authorize() -> Any:
        grant = request.args.get("deny") != "1"
        try:
            req = server.check_authorization_request()
        except OAuth1Error as error:
            return Response(f"refused: {error.error}", status=400, mimetype="text/plain")
        if req.credential.get_redirect_uri() == "oob":
            req.user = _User()
            verifier = server.create_authorization_verifier(req)
            return Response(f"<p>Your verification code: <b id=pin>{verifier}</b></p>", mimetype="text/html")
        return server.create_authorization_response(grant_user=_User() if grant else None)

    @app.post("/oauth/access_token")
    def access_token() -> Any:
        response = server.create_token_response()
        if response.status_code == 200:  # what Flickr adds
            response.set_data(response.get_data(as_text=True) + "&user_nsid=12345%40N00&username=alice")
        return response

    @app.get("/api/me")
    @protect()  # type: ignore[untyped-decorator]
    def me() -> Any:
        return jsonify(user_id=current_credential.get("user_id"))

    @app.post("/api/upload")
    @protect()  # type: ignore[untyped-decorator]
    def upload() -> Any:
        files = {name: len(f.read()) for name, f in request.files.items()}
        return jsonify(user_id=current_credential.get("user_id"), fields=request.form.to_dict(), files=files)

    return app


@contextmanager
def serve() -> Iterator[OAuth1Server]:
    """Run the server on a free 127.0.0.1 port in a daemon thread; shut it down on exit."""
    tokens: dict[str, _Token] = {}
    httpd = make_server("127.0.0.1", 0, create_app(tokens), threaded=True)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="oauth1-test-server"
    )
    thread.start()
    try:
        yield OAuth1Server(base_url=f"http://127.0.0.1:{httpd.server_port}", tokens=tokens)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def pin_from_page(html: str) -> str:
    match = re.search(r"<b id=pin>([^<]+)</b>", html)
    assert match, "no PIN on the page"
    return match.group(1)
