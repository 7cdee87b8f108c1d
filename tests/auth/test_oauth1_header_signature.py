"""The OAuth 1.0a header signer every signed call goes through (providers.signin.oauth1): the body
goes out as given (authlib's own httpx signer sent JSON and multipart bodies empty), a form body
is part of the signature, a JSON one is not (RFC 5849 §3.4.1.3). Checked with the sandbox's
verifier, written separately with the standard library."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx2

from providers.emulation.oauth1 import base_string, header_params, hmac_sha1
from providers.signin.oauth1 import header_signer

TOKEN = {"oauth_token": "tok-1", "oauth_token_secret": "tok-secret"}


def sent_through_signer(**request: object) -> httpx2.Request:
    seen: list[httpx2.Request] = []

    def answer(req: httpx2.Request) -> httpx2.Response:
        req.read()
        seen.append(req)
        return httpx2.Response(200)

    with httpx2.Client(transport=httpx2.MockTransport(answer)) as client:
        client.request(auth=header_signer("ck", "cs", TOKEN), **request)  # type: ignore[arg-type]
    (sent,) = seen
    return sent


def signature_holds(request: httpx2.Request, signed_body: list[tuple[str, str]]) -> bool:
    oauth = header_params(request.headers["Authorization"])
    given = dict(oauth)
    url = urlsplit(str(request.url))
    params = [*parse_qsl(url.query), *signed_body, *[(k, v) for k, v in oauth if k != "oauth_signature"]]
    base = base_string(request.method, f"{url.scheme}://{url.netloc}{url.path}", params)
    return given["oauth_signature"] == hmac_sha1(base, "cs", "tok-secret")


def test_a_json_body_goes_out_whole_and_is_not_signed() -> None:
    sent = sent_through_signer(method="POST", url="https://api.x.com/2/tweets?x=1", json={"text": "hi"})
    assert sent.content == b'{"text":"hi"}'
    assert signature_holds(sent, [])


def test_a_form_body_goes_out_whole_and_is_signed() -> None:
    sent = sent_through_signer(method="POST", url="https://api.example/revoke", data={"a": "1 2", "b": "ü"})
    assert dict(parse_qsl(sent.content.decode())) == {"a": "1 2", "b": "ü"}
    assert signature_holds(sent, [("a", "1 2"), ("b", "ü")])
    assert not signature_holds(sent, [])  # the form really is part of what was signed
