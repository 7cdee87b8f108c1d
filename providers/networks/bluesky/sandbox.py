"""The emulated Bluesky PDS (``bsky.social``) and PLC directory (``plc.directory``).

Strict where linkdeck could get it wrong, in the shapes and words of a real PDS (@atproto/pds,
checked against 0.4.217 run locally, and the bskyr recordings in
``shared/fixtures/recorded/bluesky``, christopherkenny/bskyr@929c164, MIT):

- sessions (``createSession`` with an app password or the account password, refresh, delete) and
  the bearer check: :mod:`.sandbox_sessions`, which :class:`BlueskyServer` builds on;
- ``uploadBlob``: over :attr:`BlueskyServer.settings` ``blob_upload_limit`` → 413
  ``PayloadTooLarge``; the MIME type is the request's Content-Type.
- ``createRecord`` (``app.bsky.feed.post``) validates like the lexicon (:mod:`.sandbox_lexicon`):
  text ≤ 300 graphemes (400 InvalidRequest with the recorded message) and ≤ 3,000 bytes,
  ``createdAt``, facets inside the text's UTF-8 bytes, ≤ 4 images each an uploaded blob of this
  account ≤ ``image_max_bytes`` ("blob too big (maximum N, got M)") with an ``alt`` string and a
  positive integer ``aspectRatio``; one ``video/mp4`` blob for ``app.bsky.embed.video``; a valid TID ``rkey``.
- ``app.bsky.actor.getProfile`` answers (the sandbox plays the AppView too), with the avatar
  served by this host; ``resolveHandle``, ``describeRepo``, ``getRecord``, ``sync.getBlob``.
- ``plc.directory``: ``GET /<did>`` is the DID document naming this sandbox's ``bsky.social``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock
from providers.networks.bluesky.sandbox_lexicon import (
    Repo,
    cid_of,
    did_document,
    did_of,
    handle_of,
    post_problem,
    tid,
    user_for,
    xrpc_error,
)
from providers.networks.bluesky.sandbox_sessions import APP_PASSWORD, PdsSessions

DEFAULT_SETTINGS: dict[str, Any] = {
    "max_graphemes": 300,
    "max_text_bytes": 3000,
    "image_max_bytes": 2_000_000,
    "blob_upload_limit": 50 * 1024 * 1024,
    "video_max_bytes": 100_000_000,
}
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


class BlueskyServer(PdsSessions):
    kind = "bluesky"
    network = "Bluesky"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.settings = dict(DEFAULT_SETTINGS)
        self.repos: dict[str, Repo] = {}
        self.routes = Routes()
        x = "/xrpc/"
        for method, nsid, handler in (
            ("POST", "com.atproto.server.createSession", self.create_session),
            ("POST", "com.atproto.server.refreshSession", self.refresh_session),
            ("POST", "com.atproto.server.deleteSession", self.delete_session),
            ("GET", "com.atproto.server.getSession", self.get_session),
            ("GET", "com.atproto.identity.resolveHandle", self.resolve_handle),
            ("GET", "com.atproto.repo.describeRepo", self.describe_repo),
            ("GET", "com.atproto.repo.getRecord", self.get_record),
            ("POST", "com.atproto.repo.createRecord", self.create_record),
            ("POST", "com.atproto.repo.uploadBlob", self.upload_blob),
            ("GET", "com.atproto.sync.getBlob", self.get_blob),
            ("GET", "app.bsky.actor.getProfile", self.get_profile),
        ):
            self.routes.add(method, x + nsid, handler)
        self.routes.add("GET", "/img/avatar/{file}", self.avatar)
        self.routes.add("GET", "/{did}", self.plc_document)

    def published(self) -> list[Published]:
        found = []
        for did, repo in self.repos.items():
            for record in repo.records.values():
                embed = record.get("embed")
                embed = embed if isinstance(embed, dict) else {}
                images = embed.get("images")
                media = len(images) if isinstance(images, list) else 0
                media += 1 if embed.get("$type") == "app.bsky.embed.video" else 0
                found.append(Published(did, str(record.get("text", "")), media))
        return found

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: int(v) for k, v in values.items() if k in DEFAULT_SETTINGS})

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            if call.path.startswith("/xrpc/"):
                return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")
            return xrpc_error(404, "NotFound", "Not Found")
        handler, call.match = found
        return await handler(call)

    # Sessions -----------------------------------------------------------------------------------

    # Identity and profile -------------------------------------------------------------------------

    async def resolve_handle(self, call: Call) -> web.Response:
        user = user_for(call.text("handle") or "")
        if user is None or "@" in (call.text("handle") or "").lstrip("@"):
            return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        return json_reply({"did": did_of(user)})

    async def plc_document(self, call: Call) -> web.Response:
        user = next((u for u in people.USERS if did_of(u) == call.match["did"]), None)
        if user is None:
            return json_reply({"message": f"DID not registered: {call.match['did']}"}, 404)
        pds = call.base.rsplit("/", 1)[0] + "/bsky.social" if "/" in call.prefix else call.base
        return json_reply(did_document(user, pds))

    async def describe_repo(self, call: Call) -> web.Response:
        user = user_for(call.text("repo") or "")
        if user is None:
            return xrpc_error(400, "InvalidRequest", f"Could not find repo: {call.text('repo')}")
        collections = ["app.bsky.feed.post"] if self.repos.get(did_of(user), Repo()).records else []
        return json_reply(
            {
                "handle": handle_of(user),
                "did": did_of(user),
                "didDoc": did_document(user, call.base),
                "collections": collections,
                "handleIsCorrect": True,
            }
        )

    async def get_profile(self, call: Call) -> web.Response:
        session = self._bearer(call, self.access)
        if isinstance(session, web.Response):
            return session
        user = user_for(call.text("actor") or "")
        if user is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        return json_reply(
            {
                "did": did_of(user),
                "handle": handle_of(user),
                "displayName": user.display_name,
                "description": user.note,
                "avatar": f"{call.base}/img/avatar/{user.username}.png",
                "postsCount": len(self.repos.get(did_of(user), Repo()).records),
                "labels": [],
            }
        )

    async def avatar(self, call: Call) -> web.StreamResponse:
        name = call.match["file"].removesuffix(".png")
        if people.user(name) is None or not call.match["file"].endswith(".png"):
            return xrpc_error(404, "NotFound", "Not Found")
        return web.Response(body=people.avatar_png(name), content_type="image/png")

    # Repo -----------------------------------------------------------------------------------------

    async def upload_blob(self, call: Call) -> web.Response:
        session = self._bearer(call, self.access)
        if isinstance(session, web.Response):
            return session
        data = await call.request.read()
        if len(data) > self.settings["blob_upload_limit"]:
            return xrpc_error(413, "PayloadTooLarge", "request entity too large")
        mime = call.request.content_type or "application/octet-stream"
        cid = cid_of(data)
        self.repos.setdefault(session.did, Repo()).blobs[cid] = (data, mime)
        return json_reply(
            {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}}
        )

    async def get_blob(self, call: Call) -> web.Response:
        repo = self.repos.get(call.text("did") or "")
        found = repo.blobs.get(call.text("cid") or "") if repo else None
        if found is None:
            return xrpc_error(400, "BlobNotFound", "Blob not found")
        return web.Response(body=found[0], content_type=found[1])

    async def get_record(self, call: Call) -> web.Response:
        user = user_for(call.text("repo") or "")
        repo = self.repos.get(did_of(user)) if user else None
        rkey, collection = call.text("rkey") or "", call.text("collection") or ""
        record = repo.records.get(rkey) if repo and collection == "app.bsky.feed.post" else None
        if user is None or record is None:
            uri = f"at://{call.text('repo')}/{collection}/{rkey}"
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return json_reply(
            {
                "uri": f"at://{did_of(user)}/{collection}/{rkey}",
                "cid": cid_of(json.dumps(record).encode()),
                "value": record,
            }
        )

    async def create_record(self, call: Call) -> web.Response:
        session = self._bearer(call, self.access)
        if isinstance(session, web.Response):
            return session
        user = user_for(call.text("repo") or "")
        if user is None or did_of(user) != session.did:
            return xrpc_error(
                400, "InvalidRequest", "Input/repo must be the DID or handle of the signed-in account"
            )
        if call.params.get("collection") != "app.bsky.feed.post":
            return xrpc_error(
                400, "InvalidRequest", "Invalid collection: this sandbox stores app.bsky.feed.post"
            )
        record = call.params.get("record")
        repo = self.repos.setdefault(session.did, Repo())
        problem = post_problem(record, repo, self.settings)
        if problem or not isinstance(record, dict):
            return xrpc_error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        rkey = call.text("rkey") or tid(self.clock.now())
        if not _TID.match(rkey):
            return xrpc_error(
                400,
                "InvalidRequest",
                f'Invalid record key for app.bsky.feed.post: Invalid TID string (got "{rkey}")',
            )
        if rkey in repo.records:
            return xrpc_error(500, "InternalServerError", "Internal Server Error")  # what a real PDS answers
        repo.records[rkey] = record
        cid = cid_of(json.dumps(record).encode())
        uri = f"at://{session.did}/app.bsky.feed.post/{rkey}"
        return json_reply(
            {"uri": uri, "cid": cid, "commit": {"cid": cid, "rev": rkey}, "validationStatus": "valid"}
        )


EMULATOR = BlueskyServer
HOSTS = ("bsky.social", "plc.directory")  # the PDS (entryway) and AppView in one; DID documents
FIRST_LABELS = ("bsky",)  # bsky.example, bsky.test: a Bluesky PDS in direct mode
CATCH_ALL = False
# The contract tests and the demo sign in as Alice with her app password, on the entryway host.
DEMO = SandboxDemo(
    host="bsky.social",
    create_path="/xrpc/com.atproto.repo.createRecord",
    fields={"handle": "alice.bsky.social", "app_password": APP_PASSWORD},
)
