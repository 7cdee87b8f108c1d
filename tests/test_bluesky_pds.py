"""End to end against a REAL Bluesky PDS: @atproto/pds 0.4.217 with a local PLC directory
(@did-plc/server 0.0.1), pinned in tests/servers/atproto/package-lock.json and installed by
``make node-deps`` (npm ci). The ``pds`` fixture (tests/conftest.py, tests/servers/pds.py) starts
it on free 127.0.0.1 ports, one per module, and stops it at the end. No internet, no AppView.

What a user does, as a subprocess: ``linkdeck link bluesky --instance URL`` with the handle and an
app password on stdin; then an image post with alt text through the Bluesky publisher, read back
from the PDS (``com.atproto.repo.getRecord``) and its blob (``com.atproto.sync.getBlob``). The app
password and the session JWTs must appear only in the keyring: never in SQLite, logs or output.
Secrets go to the real Secret Service under tests/with_keyring.sh; otherwise to the opted-in
plaintext file (the keyring stand-in), the only file allowed to hold them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import httpx2
import pytest

from providers import catalog, clock
from providers.errors import PublishError
from providers.http import client_kwargs
from providers.networks.bluesky.link import BlueskySignIn
from providers.networks.bluesky.publish import BlueskyPublisher
from providers.networks.registry import sign_in_for
from providers.outbox.runner import publish_now
from providers.settings import Settings
from providers.store import Store
from providers.vault import PLAINTEXT_FILENAME, Vault
from tests.servers.pds import Pds
from tests.support.bluesky import delivery, photo
from tests.support.cli import run_cli


def files_with(folder: Path, secrets: list[str], allowed: set[str]) -> list[str]:
    """Files under ``folder`` (the SQLite database, its WAL, logs, caches…) holding a secret."""
    found = []
    for file in folder.rglob("*"):
        if file.is_file() and file.name not in allowed:
            data = file.read_bytes()
            found += [f"{file.name}: {s[:6]}…" for s in secrets if s.encode() in data]
    return found


async def test_link_and_image_post_on_the_real_pds(
    pds: Pds, env: dict[str, str], linkdeck_home: Path, tmp_path: Path
) -> None:
    handle, did, app_password = pds.account("alice")
    # A profile record with an avatar: with no AppView, linkdeck reads it from the repo.
    session = pds.xrpc(
        "POST", "com.atproto.server.createSession", json={"identifier": handle, "password": app_password}
    )
    owner = session.json()["accessJwt"]
    avatar = photo(tmp_path / "avatar.jpg")
    blob = pds.xrpc(
        "POST", "com.atproto.repo.uploadBlob", owner, content=avatar, headers={"Content-Type": "image/jpeg"}
    )
    profile = {"$type": "app.bsky.actor.profile", "displayName": "Alice Real", "avatar": blob.json()["blob"]}
    put = pds.xrpc(
        "POST",
        "com.atproto.repo.putRecord",
        owner,
        json={"repo": did, "collection": "app.bsky.actor.profile", "rkey": "self", "record": profile},
    )
    assert put.status_code == 200, put.text

    linked = run_cli(env, "link", "bluesky", "--instance", pds.url, stdin=f"{handle}\n{app_password}\n")
    assert linked.returncode == 0, linked.stderr
    assert (
        linked.stdout.strip()
        == f"Linked @{handle} (Alice Real) on Bluesky ({pds.url.removeprefix('http://')})"
    )

    vault = Vault(Settings(allow_plaintext_secrets=True))
    with Store.open() as store:
        (account,) = store.accounts_for("bluesky")
        assert account.remote_id == did and account.instance == pds.url and account.state == "linked"
        assert account.avatar_path is not None and Path(account.avatar_path).read_bytes() == avatar
        token = vault.get_token(account.vault_key)
        assert token is not None and set(token) >= {"access_token", "refresh_token", "did", "pds"}
        assert "password" not in token and app_password not in json.dumps(token)  # not kept at all

        picture = photo(tmp_path / "post.jpg")
        caption = f"Réel 👋🏽 from @{handle}: https://example.com/a?b=1. #linkdeck #日本"
        # A real stored post, sent through the outbox as Upload and `linkdeck post` send it.
        post = store.create_post(caption, [str(tmp_path / "post.jpg")], None, descriptions=["A red square"])
        [result] = await publish_now(store, vault, post, [account])
        assert result.state == "sent", result.reason
        assert result.remote_post_id is not None and result.url is not None
        async with httpx2.AsyncClient(**client_kwargs()) as client:
            publisher = BlueskyPublisher(catalog.get("bluesky"), client, vault, store)
            again = await publisher.publish(account, post, result, token)  # a retry: no second post
    assert (again.remote_post_id, again.url) == (result.remote_post_id, result.url)
    rkey = result.remote_post_id.rsplit("/", 1)[-1]
    assert result.url == f"https://bsky.app/profile/{handle}/post/{rkey}"
    assert result.remote_post_id == f"at://{did}/app.bsky.feed.post/{rkey}"

    listed = pds.xrpc(
        "GET", "com.atproto.repo.listRecords", params={"repo": did, "collection": "app.bsky.feed.post"}
    )
    assert len(listed.json()["records"]) == 1
    read = pds.xrpc(
        "GET",
        "com.atproto.repo.getRecord",
        params={"repo": did, "collection": "app.bsky.feed.post", "rkey": rkey},
    )
    assert read.status_code == 200, read.text
    record = read.json()["value"]
    assert record["text"] == caption
    data = caption.encode()
    highlighted = [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in record["facets"]
    ]
    assert highlighted == [
        (f"@{handle}", {"$type": "app.bsky.richtext.facet#mention", "did": did}),
        (
            "https://example.com/a?b=1",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/a?b=1"},
        ),
        ("#linkdeck", {"$type": "app.bsky.richtext.facet#tag", "tag": "linkdeck"}),
        ("#日本", {"$type": "app.bsky.richtext.facet#tag", "tag": "日本"}),
    ]
    (image,) = record["embed"]["images"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert image["alt"] == "A red square"
    assert image["aspectRatio"] == {"width": 48, "height": 64}  # after the EXIF rotation
    assert image["image"]["mimeType"] == "image/jpeg" and image["image"]["size"] == len(picture)
    stored = pds.xrpc(
        "GET", "com.atproto.sync.getBlob", params={"did": did, "cid": image["image"]["ref"]["$link"]}
    )
    assert stored.status_code == 200 and stored.content == picture

    # The app password and the session JWTs live only in the keyring.
    accounts = run_cli(env, "accounts", "--json")
    secrets = [app_password, token["access_token"], token["refresh_token"]]
    for text in (linked.stdout, linked.stderr, accounts.stdout, accounts.stderr):
        assert not any(s in text for s in secrets)
    assert files_with(linkdeck_home, secrets, allowed={PLAINTEXT_FILENAME}) == []
    if not vault.is_plaintext:  # under tests/with_keyring.sh: the real Secret Service holds them
        assert not (linkdeck_home / "data" / PLAINTEXT_FILENAME).exists()


async def test_session_refresh_video_and_unlink(pds: Pds, env: dict[str, str], tmp_path: Path) -> None:
    handle, did, app_password = pds.account("bob")
    linked = run_cli(env, "link", "bluesky", "--instance", pds.url, stdin=f"{handle}\n{app_password}\n")
    assert linked.returncode == 0, linked.stderr
    vault = Vault(Settings(allow_plaintext_secrets=True))
    with Store.open() as store:
        (account,) = store.accounts_for("bluesky")
        first = vault.get_token(account.vault_key) or {}
        vault.set_token(account.vault_key, {**first, "expires_at": 0})  # as if two hours had passed
        clip = tmp_path / "clip.mp4"
        _video(clip)
        # A stored post and delivery, given to the publisher itself: through the outbox an expired
        # session is not renewed yet (the xfail test below).
        post = store.create_post("a short clip", [str(clip)], None, descriptions=["Red frames"])
        waiting = store.add_delivery(post.id, account)
        async with httpx2.AsyncClient(**client_kwargs()) as client:
            publisher = BlueskyPublisher(catalog.get("bluesky"), client, vault, store)
            result = await publisher.publish(account, post, waiting, {})
        renewed = vault.get_token(account.vault_key) or {}
        assert renewed["refresh_token"] != first["refresh_token"]  # refreshSession rotated it
        # (the access JWT may be byte-equal: same second)
        assert renewed["expires_at"] > clock.timestamp()
        assert store.account(account.id).state == "linked"
    rkey = result.remote_post_id.rsplit("/", 1)[-1]
    read = pds.xrpc(
        "GET",
        "com.atproto.repo.getRecord",
        params={"repo": did, "collection": "app.bsky.feed.post", "rkey": rkey},
    )
    video = read.json()["value"]["embed"]
    assert video["$type"] == "app.bsky.embed.video" and video["alt"] == "Red frames"
    assert video["video"]["mimeType"] == "video/mp4" and video["aspectRatio"] == {"width": 64, "height": 48}

    unlinked = run_cli(env, "unlink", "bluesky", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "confirmed that linkdeck's access is revoked" in unlinked.stdout
    refused = pds.xrpc("POST", "com.atproto.server.refreshSession", renewed["refresh_token"])
    assert (
        refused.status_code == 400 and refused.json()["error"] == "ExpiredToken"
    )  # deleteSession revoked it
    assert vault.get_token(account.vault_key) is None


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,  # the delivery is held; any other failure is a real one
    reason="bug: outbox/tokens.py renews an expired token through TokenKeeper, which has no refresh "
    "endpoint for an app-password session, so the publisher's own refreshSession never runs and the "
    "post is held 'link it again' (passes once fixed: then drop this mark)",
)
async def test_an_expired_session_is_renewed_when_the_outbox_sends(pds: Pds, env: dict[str, str]) -> None:
    handle, _, app_password = pds.account("erin")
    linked = run_cli(env, "link", "bluesky", "--instance", pds.url, stdin=f"{handle}\n{app_password}\n")
    assert linked.returncode == 0, linked.stderr
    vault = Vault(Settings(allow_plaintext_secrets=True))
    with Store.open() as store:
        (account,) = store.accounts_for("bluesky")
        first = vault.get_token(account.vault_key) or {}
        vault.set_token(account.vault_key, {**first, "expires_at": 0})  # the access JWT has run out
        post = store.create_post("two hours after linking", [], None)
        [result] = await publish_now(store, vault, post, [account])
    assert result.state == "sent", result.reason


def _video(path: Path) -> None:
    import av
    from PIL import Image

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for shade in range(5):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (shade * 50, 0, 0)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def test_wrong_and_main_passwords_are_refused(pds: Pds, env: dict[str, str]) -> None:
    handle, _, _ = pds.account("carol")
    wrong = run_cli(env, "link", "bluesky", "--instance", pds.url, stdin=f"{handle}\nabcd-efgh-ijkl-mnop\n")
    assert wrong.returncode == 1
    assert (
        "Bluesky did not accept that handle and app password (Invalid identifier or password)" in wrong.stderr
    )
    assert "Settings → Privacy and security → App passwords" in wrong.stderr
    main = run_cli(env, "link", "bluesky", "--instance", pds.url, stdin=f"{handle}\nmain-carol-password\n")
    assert main.returncode == 1 and "nothing was sent" in main.stderr  # never sent to the server
    missing = run_cli(env, "link", "bluesky", "--instance", pds.url, stdin=f"{handle}\n")
    assert missing.returncode == 2 and "ended before the App password" in missing.stderr
    assert "No linked accounts" in run_cli(env, "accounts").stdout


async def test_too_big_image_and_oauth_discovery(
    pds: Pds, linkdeck_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This PDS (0.4.217) still enforces the old 1,000,000-byte image limit in the record: the
    refusal names Bluesky, the server's maximum and the compress fix."""
    monkeypatch.setenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", "1")
    handle, did, app_password = pds.account("dave")
    vault = Vault(Settings(allow_plaintext_secrets=True))
    with Store.open() as store:
        adapter = sign_in_for("bluesky", settings=vault.settings, store=store, vault=vault)
        assert isinstance(adapter, BlueskySignIn)
        signed_in = await adapter.sign_in(pds.url, {"handle": handle, "app_password": app_password})
        instance, token = signed_in.instance, signed_in.token
        account = store.upsert_account("bluesky", did, handle=f"@{handle}", instance=instance)
        vault.set_token(account.vault_key, token)
        big = tmp_path / "big.png"
        from PIL import Image

        Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(big)
        assert 1_000_000 < big.stat().st_size < 2_000_000
        post = SimpleNamespace(caption="too big", media=[str(big)], descriptions=[""])
        async with httpx2.AsyncClient(**client_kwargs()) as client:
            publisher = BlueskyPublisher(catalog.get("bluesky"), client, vault, store)
            with pytest.raises(PublishError) as caught:
                await publisher.publish(account, post, delivery("c" * 32), token)
        assert caught.value.kind == "fix_media"
        assert "at most 1,000,000 bytes" in caught.value.message and "compress" in caught.value.message

        oauth = await adapter.oauth_offered(pds.url)
        assert oauth is not None
        assert oauth.par_endpoint.endswith("/oauth/par") and "ES256" in oauth.dpop_algs


def test_linkdeck_post_lands_on_the_real_pds(pds: Pds, env: dict[str, str], tmp_path: Path) -> None:
    """The same through the outbox: ``linkdeck post FILE --to bluesky`` (alt text from
    ``FILE.alt.txt``) as a user runs it."""
    handle, did, app_password = pds.account("hana")
    assert (
        run_cli(env, "link", "bluesky", "--instance", pds.url, stdin=f"{handle}\n{app_password}\n").returncode
        == 0
    )
    picture = tmp_path / "portrait.jpg"
    data = photo(picture)
    (tmp_path / "portrait.jpg.alt.txt").write_text("A red square, turned\n")
    sent = run_cli(
        env, "post", str(picture), "--to", "bluesky", "--caption", "From the outbox #linkdeck", "--json"
    )
    if sent.returncode == 2 and "not built" in sent.stderr:
        pytest.skip("`linkdeck post` is not built in this tree")
    assert sent.returncode == 0, sent.stderr
    (delivery_,) = json.loads(sent.stdout)["deliveries"]
    assert delivery_["state"] == "sent" and delivery_["url"].startswith(
        f"https://bsky.app/profile/{handle}/post/"
    )
    rkey = delivery_["url"].rsplit("/", 1)[-1]
    read = pds.xrpc(
        "GET",
        "com.atproto.repo.getRecord",
        params={"repo": did, "collection": "app.bsky.feed.post", "rkey": rkey},
    )
    record = read.json()["value"]
    (image,) = record["embed"]["images"]
    assert (
        record["text"] == "From the outbox #linkdeck"
        and record["facets"][0]["features"][0]["tag"] == "linkdeck"
    )
    assert image["alt"] == "A red square, turned" and image["aspectRatio"] == {"width": 48, "height": 64}
    blob = pds.xrpc(
        "GET", "com.atproto.sync.getBlob", params={"did": did, "cid": image["image"]["ref"]["$link"]}
    )
    assert blob.content == data
    assert app_password not in sent.stdout + sent.stderr
