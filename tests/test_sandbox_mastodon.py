"""The sandbox's Mastodon and Pixelfed emulations are as strict as the real servers: what they
refuse here, a real server refuses too, so linkdeck's client bugs show up in tests.

Shapes are checked against real Mastodon responses recorded by Mastodon.py (see
tests/fixtures/recorded/mastodon/SOURCES.md: halcy/Mastodon.py@b9f2eff, MIT).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
from typing import Any

import httpx2
import pytest

from providers.sandbox import Running, fingerprint
from providers.sandbox.server import looks_like_host
from tests import cassettes
from tests.sandbox_browser import approve_async, oob_code, query

LOOPBACK = "http://127.0.0.1:8765/callback"
OOB = "urn:ietf:wg:oauth:2.0:oob"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def register(
    http: httpx2.AsyncClient, base: str, scopes: str = "profile write:statuses", uris: Any = None
) -> dict[str, Any]:
    data = {"client_name": "linkdeck", "redirect_uris": uris or f"{OOB}\n{LOOPBACK}", "scopes": scopes}
    response = await http.post(f"{base}/api/v1/apps", data=data)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def authorize_url(base: str, app: dict[str, Any], challenge: str | None, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": LOOPBACK,
        "scope": "profile write:statuses",
        "state": "st/ate+with spaces&=",
    }
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    params |= extra
    return str(httpx2.URL(f"{base}/oauth/authorize", params=params))


async def code_for(base: str, app: dict[str, Any], challenge: str, **extra: str) -> str:
    answer = await approve_async(authorize_url(base, app, challenge, **extra))
    assert answer.status_code == 302
    return query(answer.headers["location"])["code"]


async def exchange(
    http: httpx2.AsyncClient, base: str, app: dict[str, Any], code: str, verifier: str, **extra: str
) -> httpx2.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": LOOPBACK,
        "code_verifier": verifier,
    } | extra
    return await http.post(f"{base}/oauth/token", data=data)


async def test_app_registration_has_the_recorded_shape(sandbox: Running, http: httpx2.AsyncClient) -> None:
    recorded = cassettes.find("test_app_account_create.yaml", "POST", "/api/v1/apps").json()
    app = await register(http, sandbox.url + "/mastodon.example")
    assert isinstance(recorded, dict)
    assert set(app) == set(recorded)
    assert app["redirect_uris"] == [OOB, LOOPBACK] and app["scopes"] == ["profile", "write:statuses"]
    assert app["client_id"] and app["client_secret"] and app["client_secret_expires_at"] == 0
    # redirect_uris as an array (Mastodon ≥ 4.3) works too
    listed = await http.post(
        sandbox.url + "/mastodon.example/api/v1/apps",
        json={"client_name": "x", "redirect_uris": [LOOPBACK], "scopes": "read"},
    )
    assert listed.json()["redirect_uris"] == [LOOPBACK]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"redirect_uris": LOOPBACK}, "Application name can't be blank"),
        ({"client_name": "x"}, "Redirect URI can't be blank"),
        ({"client_name": "x", "redirect_uris": "javascript:alert(1)"}, "Redirect URI"),
        ({"client_name": "x", "redirect_uris": LOOPBACK, "scopes": "read nonsense"}, "Scopes"),
    ],
)
async def test_app_registration_validates(
    sandbox: Running, http: httpx2.AsyncClient, data: dict[str, str], message: str
) -> None:
    response = await http.post(sandbox.url + "/mastodon.example/api/v1/apps", data=data)
    assert response.status_code == 422
    assert response.json()["error"].startswith("Validation failed: ") and message in response.json()["error"]


async def test_profile_scope_needs_mastodon_4_3(sandbox: Running, http: httpx2.AsyncClient) -> None:
    base = sandbox.url + "/old.example"
    await http.post(sandbox.url + "/__sandbox__/instance", json={"host": "old.example", "version": "4.2.10"})
    refused = await http.post(
        base + "/api/v1/apps", data={"client_name": "x", "redirect_uris": LOOPBACK, "scopes": "profile"}
    )
    assert refused.status_code == 422
    assert (await http.get(base + "/api/v2/instance")).json()["version"] == "4.2.10"
    assert (await http.get(base + "/.well-known/oauth-authorization-server")).status_code == 404


async def test_full_code_flow_echoes_state_and_shows_the_account(
    sandbox: Running, http: httpx2.AsyncClient
) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    verifier, challenge = pkce()
    answer = await approve_async(authorize_url(base, app, challenge))
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(LOOPBACK + "?")
    assert query(location)["state"] == "st/ate+with spaces&="
    token = await exchange(http, base, app, query(location)["code"], verifier)
    assert token.status_code == 200
    body = token.json()
    assert set(body) == {"access_token", "token_type", "scope", "created_at"}  # no refresh: Mastodon
    assert body["scope"] == "profile write:statuses"
    me = await http.get(
        base + "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    account = me.json()
    recorded = cassettes.find("test_verify_credentials.yaml", "GET", "/verify_credentials").json()
    assert isinstance(recorded, dict)
    assert {"id", "username", "acct", "display_name", "avatar", "avatar_static", "url"} <= set(account)
    assert set(account) <= set(recorded) | {"source", "role"}
    assert (account["username"], account["acct"], account["display_name"]) == (
        "alice",
        "alice",
        "Alice Example",
    )
    avatar = await http.get(account["avatar"])
    assert avatar.headers["content-type"] == "image/png"
    from PIL import Image

    image = Image.open(io.BytesIO(avatar.content))
    image.load()
    assert image.format == "PNG" and image.size == (48, 48)


async def test_pkce_is_optional_but_s256_only_and_checked_when_sent(
    sandbox: Running, http: httpx2.AsyncClient
) -> None:
    """As on Mastodon (Doorkeeper with pkce_code_challenge_methods ['S256'], no force_pkce): no
    challenge is a plain code flow; a challenge without S256 is refused, in Doorkeeper's words."""
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    plain = authorize_url(base, app, None, code_challenge="a" * 43, code_challenge_method="plain")
    unnamed = authorize_url(base, app, None, code_challenge="a" * 43)  # no method: plain, there
    for url in (plain, unnamed):
        response = await http.get(url)
        assert response.status_code == 302
        refused = query(response.headers["location"])
        assert refused == {
            "error": "invalid_code_challenge_method",
            "error_description": "The code_challenge_method must be S256.",
            "state": "st/ate+with spaces&=",
        }
        assert "form_token" not in response.text
    without = await approve_async(authorize_url(base, app, None))  # what Mastodon.py sends
    code = query(without.headers["location"])["code"]
    assert (await exchange(http, base, app, code, "")).status_code == 200  # an empty verifier is none
    # A verifier for a code asked without a challenge is refused (a PKCE downgrade): invalid_grant.
    code = query((await approve_async(authorize_url(base, app, None))).headers["location"])["code"]
    downgraded = await exchange(http, base, app, code, pkce()[0])
    assert downgraded.status_code == 400 and downgraded.json()["error"] == "invalid_grant"
    # A challenge that was sent wants its verifier: Doorkeeper names the missing parameter.
    verifier, challenge = pkce()
    code = await code_for(base, app, challenge)
    missing = await exchange(http, base, app, code, "")
    assert missing.status_code == 400
    assert missing.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: code_verifier.",
    }
    assert (await exchange(http, base, app, code, verifier)).status_code == 200  # the code is still good


async def test_wrong_redirect_client_or_scope_is_refused(sandbox: Running, http: httpx2.AsyncClient) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    _, challenge = pkce()
    for redirect in (
        "http://127.0.0.1:8766/callback",
        "http://127.0.0.1:8765/callback/",
        "http://evil.example/cb",
    ):
        response = await http.get(authorize_url(base, app, challenge, redirect_uri=redirect))
        assert response.status_code == 400 and "location" not in response.headers
        assert "invalid_redirect_uri" in response.text
    unknown = await http.get(authorize_url(base, {"client_id": "nope"}, challenge))
    assert unknown.status_code == 401 and "invalid_client" in unknown.text
    wider = await http.get(authorize_url(base, app, challenge, scope="profile write:media"))
    assert query(wider.headers["location"])["error"] == "invalid_scope"
    implicit = await http.get(authorize_url(base, app, challenge, response_type="token"))
    assert query(implicit.headers["location"])["error"] == "unsupported_response_type"


async def test_codes_are_single_use_and_bound_to_verifier_redirect_and_client(
    sandbox: Running, http: httpx2.AsyncClient
) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    verifier, challenge = pkce()
    code = await code_for(base, app, challenge)
    wrong_verifier = await exchange(http, base, app, code, pkce()[0])
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    wrong_redirect = await exchange(http, base, app, code, verifier, redirect_uri=OOB)
    assert wrong_redirect.status_code == 400 and wrong_redirect.json()["error"] == "invalid_grant"
    bad_secret = await exchange(http, base, app, code, verifier, client_secret="wrong")
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    first = await exchange(http, base, app, code, verifier)  # refusals above did not use up the code
    assert first.status_code == 200
    again = await exchange(http, base, app, code, verifier)
    assert again.status_code == 400
    recorded = cassettes.find("pre_4_4_0/test_log_in_password_incorrect.yaml", "POST", "/oauth/token").json()
    assert again.json() == recorded  # the very body a real Mastodon sends
    # a replayed code also revokes what it issued (RFC 6749 §4.1.2)
    me = await http.get(
        base + "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert me.status_code == 401


async def test_codes_expire_after_ten_minutes(sandbox: Running, http: httpx2.AsyncClient) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    verifier, challenge = pkce()
    code = await code_for(base, app, challenge)
    await http.post(sandbox.url + "/__sandbox__/clock", json={"advance": 601})
    late = await exchange(http, base, app, code, verifier)
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"


async def test_deny_redirects_with_access_denied(sandbox: Running, http: httpx2.AsyncClient) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    answer = await approve_async(authorize_url(base, app, pkce()[1]), decision="deny")
    assert answer.status_code == 302
    denied = query(answer.headers["location"])
    assert (
        denied["error"] == "access_denied"
        and denied["state"] == "st/ate+with spaces&="
        and "code" not in denied
    )


async def test_consent_form_token_is_single_use(sandbox: Running, http: httpx2.AsyncClient) -> None:
    from tests.sandbox_browser import consent_form

    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    url = authorize_url(base, app, pkce()[1])
    page = await http.get(url)
    action, fields = consent_form(url, page.text, "allow")
    assert (await http.post(action, data=fields)).status_code == 302
    replay = await http.post(action, data=fields)
    assert replay.status_code == 400 and "location" not in replay.headers


async def test_oob_shows_the_code_on_a_page(sandbox: Running, http: httpx2.AsyncClient) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    verifier, challenge = pkce()
    answer = await approve_async(authorize_url(base, app, challenge, redirect_uri=OOB))
    assert answer.status_code == 302 and "/oauth/authorize/native?code=" in answer.headers["location"]
    page = await http.get(answer.headers["location"])
    code = oob_code(page.text)
    token = await exchange(http, base, app, code, verifier, redirect_uri=OOB)
    assert token.status_code == 200 and token.json()["access_token"]


async def test_revoked_token_gets_401(sandbox: Running, http: httpx2.AsyncClient) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    verifier, challenge = pkce()
    access = (await exchange(http, base, app, await code_for(base, app, challenge), verifier)).json()[
        "access_token"
    ]
    me_url = base + "/api/v1/accounts/verify_credentials"
    bearer = {"Authorization": f"Bearer {access}"}
    assert (await http.get(me_url, headers=bearer)).status_code == 200
    other = await register(http, base)
    foreign = await http.post(
        base + "/oauth/revoke",
        data={"client_id": other["client_id"], "client_secret": other["client_secret"], "token": access},
    )
    assert foreign.status_code == 403 and (await http.get(me_url, headers=bearer)).status_code == 200
    revoked = await http.post(
        base + "/oauth/revoke",
        data={"client_id": app["client_id"], "client_secret": app["client_secret"], "token": access},
    )
    recorded = cassettes.find("pre_4_4_0/test_zzz_revoke.yaml", "POST", "/oauth/revoke")
    assert revoked.status_code == recorded.status == 200 and revoked.json() == recorded.json() == {}
    after = await http.get(me_url, headers=bearer)
    assert after.status_code == 401 and after.json() == {"error": "The access token was revoked"}
    garbage = await http.get(me_url, headers={"Authorization": "Bearer garbage"})
    unauthed = cassettes.find("test_unauthed_home_tl_throws.yaml", "GET", "/timelines/home")
    assert garbage.status_code == unauthed.status == 401 and garbage.json() == unauthed.json()
    assert (await http.get(me_url)).status_code == 401


async def test_instance_documents(sandbox: Running, http: httpx2.AsyncClient) -> None:
    v2 = (await http.get(sandbox.url + "/mastodon.example/api/v2/instance")).json()
    recorded = cassettes.find("test_instance_v2.yaml", "GET", "/api/v2/instance").json()
    assert isinstance(recorded, dict)
    assert v2["domain"] == "mastodon.example"
    assert v2["configuration"]["statuses"] == recorded["configuration"]["statuses"]
    assert set(v2["configuration"]["media_attachments"]) == set(
        recorded["configuration"]["media_attachments"]
    )
    v1 = (await http.get(sandbox.url + "/mastodon.example/api/v1/instance")).json()
    assert v1["uri"] == "mastodon.example" and v1["configuration"]["statuses"]["max_characters"] == 500
    await http.post(
        sandbox.url + "/__sandbox__/instance", json={"host": "mastodon.example", "max_characters": 5000}
    )
    v2 = (await http.get(sandbox.url + "/mastodon.example/api/v2/instance")).json()
    assert v2["configuration"]["statuses"]["max_characters"] == 5000


async def test_hosts_and_the_root_instance(sandbox: Running, http: httpx2.AsyncClient) -> None:
    root = (await http.get(sandbox.url + "/api/v2/instance")).json()
    assert root["domain"] == sandbox.url.removeprefix("http://")
    pixelfed = (await http.get(sandbox.url + "/pixelfed.example/api/v1/instance")).json()
    assert "Pixelfed" in pixelfed["version"]
    status = (await http.get(sandbox.url + "/__sandbox__")).json()
    assert status["hosts"]["pixelfed.example"] == "pixelfed"
    assert status["hosts"][sandbox.url.removeprefix("http://")] == "mastodon"
    assert looks_like_host("mastodon.social") and looks_like_host("localhost:3000")
    assert (
        not looks_like_host(".well-known")
        and not looks_like_host("api")
        and not looks_like_host("favicon.ico")
    )


async def test_pixelfed_differences(sandbox: Running, http: httpx2.AsyncClient) -> None:
    base = sandbox.url + "/pixelfed.example"
    app = (
        await http.post(
            base + "/api/v1/apps",
            data={"client_name": "linkdeck", "redirect_uris": LOOPBACK, "scopes": "read write"},
        )
    ).json()
    assert app["client_id"].isdigit() and app["vapid_key"] is None
    verifier, challenge = pkce()
    code = await code_for(base, app, challenge, scope="read write")
    token = (await exchange(http, base, app, code, verifier)).json()
    assert token["expires_in"] == 365 * 24 * 3600 and token["refresh_token"]
    assert "scope" not in token  # Laravel Passport's reply
    refreshed = await http.post(
        base + "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert refreshed.status_code == 200 and refreshed.json()["refresh_token"] != token["refresh_token"]
    me_url = base + "/api/v1/accounts/verify_credentials"
    old = await http.get(me_url, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert old.status_code == 401 and old.json() == {"message": "Unauthenticated."}
    new = await http.get(me_url, headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"})
    assert new.status_code == 200 and new.json()["username"] == "alice"
    revoke = await http.post(base + "/oauth/revoke", data={"token": refreshed.json()["access_token"]})
    assert revoke.status_code == 404  # Pixelfed has no revoke endpoint
    settings_page = await http.get(base + "/settings/applications")
    assert settings_page.status_code == 200 and "linkdeck" in settings_page.text


async def test_mastodon_has_no_refresh_grant(sandbox: Running, http: httpx2.AsyncClient) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    response = await http.post(
        base + "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            **{k: app[k] for k in ("client_id", "client_secret")},
        },
    )
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


async def test_request_record_never_holds_secrets_in_clear(
    sandbox: Running, http: httpx2.AsyncClient
) -> None:
    base = sandbox.url + "/mastodon.example"
    app = await register(http, base)
    verifier, challenge = pkce()
    code = await code_for(base, app, challenge)
    access = (await exchange(http, base, app, code, verifier)).json()["access_token"]
    await http.get(
        base + "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {access}"}
    )
    record = (await http.get(sandbox.url + "/__sandbox__/requests")).json()["requests"]
    text = json.dumps(record)
    for secret in (app["client_secret"], verifier, code, access):
        assert secret not in text
    token_call = next(r for r in record if r["path"] == "/oauth/token")
    assert token_call["keys"] == sorted(
        ["client_id", "client_secret", "code", "code_verifier", "grant_type", "redirect_uri"]
    )
    assert token_call["params"]["code"] == fingerprint(code)
    me_call = next(r for r in record if r["path"] == "/api/v1/accounts/verify_credentials")
    assert me_call["authorization"] == f"Bearer {fingerprint(access)}" and me_call["status"] == 200
    filtered = await http.get(sandbox.url + "/__sandbox__/requests", params={"path": "/oauth/token"})
    assert [r["path"] for r in filtered.json()["requests"]] == ["/oauth/token"]


async def test_failure_injection_and_latency(sandbox: Running, http: httpx2.AsyncClient) -> None:
    control = sandbox.url + "/__sandbox__"
    await http.post(
        control + "/fail", json={"path": "/api/v2/instance", "status": 429, "times": 2, "retry_after": 30}
    )
    url = sandbox.url + "/mastodon.example/api/v2/instance"
    first, second, third = [await http.get(url) for _ in range(3)]
    assert first.status_code == second.status_code == 429 and first.headers["retry-after"] == "30"
    assert third.status_code == 200
    record = (await http.get(control + "/requests")).json()["requests"]
    assert [r["injected"] for r in record] == [True, True, False]
    await http.post(control + "/latency", json={"seconds": 0.3})
    import time

    began = time.monotonic()
    await http.get(url)
    assert time.monotonic() - began >= 0.3
    assert (await http.get(control + "/nope")).status_code == 404
