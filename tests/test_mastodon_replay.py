"""The Mastodon adapter against *recorded* real responses, replayed by a tiny local server.

The responses are Mastodon.py's vcrpy cassettes, recorded against a real Mastodon 4.4–4.6 server
(tests/fixtures/recorded/mastodon/; provenance, commit and licence in that folder's SOURCES.md:
halcy/Mastodon.py@b9f2effbb5a9f07ebca3807466f4130e69b1614c, MIT; secrets there were redacted).
They check that the adapter reads the real shapes (app registration, verify_credentials, the
instance documents) and turns the real error bodies (401 invalid token, 422 validation, 404) into
sentences that name the network and what went wrong.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from providers import catalog
from providers.errors import LinkError
from providers.networks.mastodon.link import MastodonSignIn
from providers.networks.registry import sign_in_for
from providers.signin.registered import version_tuple
from providers.store import Store
from providers.vault import Vault
from tests.cassettes import Interaction, find
from tests.support.http import serving

VERIFY = find("test_verify_credentials.yaml", "GET", "/api/v1/accounts/verify_credentials")
INSTANCE_V2 = find("test_instance_v2.yaml", "GET", "/api/v2/instance")
INSTANCE_V1 = find("test_instance_v1.yaml", "GET", "/api/v1/instance")
APP = find("test_app_account_create.yaml", "POST", "/api/v1/apps")
INVALID_TOKEN = find("test_unauthed_home_tl_throws.yaml", "GET", "/api/v1/timelines/home", 401)
VALIDATION = find("test_app_account_create_invalid.yaml", "POST", "/api/v1/accounts", 422)
NOT_FOUND = find("test_status_missing.yaml", "GET", "/api/v1/statuses/0", 404)
REVOKED = find("pre_4_4_0/test_zzz_revoke.yaml", "POST", "/oauth/revoke")


class Replay:
    """Serves one recorded interaction per (method, path); the test picks which."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Interaction] = {}
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    def serve(self, method: str, path: str, interaction: Interaction) -> None:
        self.routes[(method, path)] = interaction

    async def handle(self, request: web.Request) -> web.Response:
        form = dict(await request.post()) if request.method == "POST" else {}
        self.seen.append((request.method, request.path, {k: str(v) for k, v in form.items()}))
        recorded = self.routes.get((request.method, request.path.rstrip("/")))
        if recorded is None:
            return web.json_response({"error": "Not Found"}, status=404)
        return web.Response(text=recorded.body, status=recorded.status, content_type="application/json")


@pytest.fixture
async def replay() -> AsyncIterator[tuple[Replay, str]]:
    server_state = Replay()
    async with serving(server_state.handle) as url:
        yield server_state, url


@pytest.fixture
def adapter(store: Store, vault: Vault) -> MastodonSignIn:
    found = sign_in_for("mastodon", settings=vault.settings, store=store, vault=vault)
    assert isinstance(found, MastodonSignIn)
    return found


async def test_recorded_account_and_instance_are_read(
    replay: tuple[Replay, str], adapter: MastodonSignIn
) -> None:
    server, url = replay
    server.serve("GET", "/api/v1/accounts/verify_credentials", VERIFY)
    server.serve("GET", "/api/v2/instance", INSTANCE_V2)
    profile = await adapter.profile({"access_token": "__MASTODON_PY_TEST_ACCESS_TOKEN"}, url)
    assert profile.remote_id == "117020457910412882"
    assert profile.handle == "@mastodonpy_test@localhost:3000"  # the domain from /api/v2/instance
    assert profile.display_name == "mastodonpy_test"  # the recorded display_name is empty
    assert profile.avatar_url == "http://localhost:3000/avatars/original/missing.png"
    assert profile.targets == []
    assert await adapter.server_version(url) == (4, 6, 4)
    assert await adapter.wanted_scopes(url) == catalog.get("mastodon").scopes


async def test_recorded_v1_instance_is_the_fallback(
    replay: tuple[Replay, str], adapter: MastodonSignIn
) -> None:
    server, url = replay
    server.serve("GET", "/api/v1/instance", INSTANCE_V1)  # no v2: an older server
    assert await adapter.server_version(url) == (4, 6, 4)
    assert await adapter.domain(url) == "localhost:3000"


async def test_recorded_app_registration_is_stored(
    replay: tuple[Replay, str], adapter: MastodonSignIn
) -> None:
    server, url = replay
    server.serve("POST", "/api/v1/apps", APP)
    server.serve("GET", "/api/v2/instance", INSTANCE_V2)
    config = await adapter.client_config(url, ["urn:ietf:wg:oauth:2.0:oob", "http://127.0.0.1:8765/callback"])
    assert config.client_id == "dSqEHsXYueL3gn3LbghhdtDXqqa9es7Ydchk8qWmIA0"
    assert config.client_secret == "REDACTED"  # as recorded (the collector redacted it)
    assert config.authorize_url == f"{url}/oauth/authorize" and config.revoke_url == f"{url}/oauth/revoke"
    assert config.pkce and config.token_auth_method == "client_secret_post"
    registration = next(form for method, path, form in server.seen if path == "/api/v1/apps")
    assert registration["redirect_uris"] == "urn:ietf:wg:oauth:2.0:oob\nhttp://127.0.0.1:8765/callback"
    assert registration["scopes"] == "profile write:statuses write:media"
    stored = adapter.store.registered_app("mastodon", url)
    assert stored is not None and stored.client_id == config.client_id
    again = await adapter.client_config(url, ["http://127.0.0.1:8765/callback"])  # reused, no new call
    assert again.client_id == config.client_id
    assert [path for _, path, _ in server.seen].count("/api/v1/apps") == 1


async def test_recorded_invalid_token_reads_clearly(
    replay: tuple[Replay, str], adapter: MastodonSignIn
) -> None:
    server, url = replay
    server.serve("GET", "/api/v1/accounts/verify_credentials", INVALID_TOKEN)
    with pytest.raises(LinkError) as caught:
        await adapter.profile({"access_token": "not-valid"}, url)
    message = caught.value.message
    assert message.startswith("Mastodon (127.0.0.1:")
    assert "did not accept linkdeck's sign-in" in message and "The access token is invalid" in message
    assert "not-valid" not in message


async def test_recorded_validation_error_reads_clearly(
    replay: tuple[Replay, str], adapter: MastodonSignIn
) -> None:
    server, url = replay
    server.serve("POST", "/api/v1/apps", VALIDATION)
    with pytest.raises(LinkError) as caught:
        await adapter.client_config(url, ["http://127.0.0.1:8765/callback"])
    assert "refused registering linkdeck: Validation failed: Password can't be blank" in caught.value.message
    # a 422 made the adapter try once more without the 4.3-only "profile" scope
    scopes = [form["scopes"] for _, path, form in server.seen if path == "/api/v1/apps"]
    assert scopes == ["profile write:statuses write:media", "read:accounts write:statuses write:media"]
    assert adapter.store.registered_app("mastodon", url) is None


async def test_recorded_not_found_names_the_address(
    replay: tuple[Replay, str], adapter: MastodonSignIn
) -> None:
    server, url = replay
    server.serve("POST", "/api/v1/apps", NOT_FOUND)
    with pytest.raises(LinkError, match="does not look like a Mastodon server"):
        await adapter.client_config(url, ["http://127.0.0.1:8765/callback"])


async def test_recorded_revoke_counts_as_confirmed(
    replay: tuple[Replay, str], adapter: MastodonSignIn
) -> None:
    server, url = replay
    server.serve("POST", "/oauth/revoke", REVOKED)
    assert await adapter.revoke({"access_token": "tok"}, url) is False  # no registered app on file
    adapter.store.save_registered_app("mastodon", url, "client-1", [], ["profile"])
    adapter.vault.set_client_secret("mastodon", "secret-1", instance=url)
    assert await adapter.revoke({"access_token": "tok"}, url) is True
    form = next(form for method, path, form in server.seen if path == "/oauth/revoke" and form)
    assert (form["client_id"], form["client_secret"], form["token"]) == ("client-1", "secret-1", "tok")


def test_versions_are_read_leniently() -> None:
    assert version_tuple("4.3.0-beta.1") == (4, 3, 0)
    assert version_tuple("4.2.10+glitch") == (4, 2, 10)
    assert version_tuple("3.5.3 (compatible; Pixelfed 0.11.13)") == (3, 5, 3)
    assert version_tuple("unknown") is None
