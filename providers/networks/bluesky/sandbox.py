"""The emulated Bluesky PDS (``bsky.social``) and PLC directory (``plc.directory``).

Strict where linkdeck could get it wrong, in the shapes and words of a real PDS (@atproto/pds,
checked against 0.4.217 run locally, and the bskyr recordings in
``shared/fixtures/recorded/bluesky``, christopherkenny/bskyr@929c164, MIT), and checked with the
atproto SDK against both (tests/test_fidelity_bluesky.py):

- sessions (``createSession`` with an app password or the account password, refresh, delete) and
  the bearer check: :mod:`.sandbox_sessions`; ``describeServer`` as the local PDS answers it.
- ``uploadBlob``: a Content-Type is required (400 "Request encoding (Content-Type) required but
  not provided"), over :attr:`BlueskyServer.settings` ``blob_upload_limit`` → 413
  ``PayloadTooLarge``; the MIME type is sniffed from the bytes whatever the header says (the SDK
  sends ``*/*``), the header's only for bytes not recognised (actor-store/blob/transactor.ts:
  ``sniffedMime || userSuggestedMime``).
- ``createRecord`` (``app.bsky.feed.post``) validates like the lexicon (:mod:`.sandbox_lexicon`):
  text ≤ 300 graphemes (400 InvalidRequest with the recorded message) and ≤ 3,000 bytes,
  ``createdAt``, facets inside the text's UTF-8 bytes, ≤ 4 images each declared ``image/*`` and
  ≤ ``image_max_bytes`` ("blob too big (maximum N, got M)") with an ``alt`` string and a positive
  integer ``aspectRatio``; one ``video/mp4`` blob for ``app.bsky.embed.video``; a valid TID
  ``rkey``; then each blob must be this account's upload with the declared type and size
  (BlobNotFound, InvalidMimeType, InvalidSize). ``deleteRecord`` answers ``{}`` for a record that
  is not there. A write to another account's repo is 401, to one not hosted here 403.
- ``app.bsky.actor.getProfile`` and ``app.bsky.feed.getAuthorFeed`` answer (the sandbox plays the
  AppView too: :mod:`.sandbox_appview`); ``resolveHandle``, ``describeRepo``, ``getRecord``,
  ``sync.getBlob``.
- ``plc.directory``: ``GET /<did>`` is the DID document naming this sandbox's ``bsky.social``.

Where it differs from the PDS on purpose: only ``app.bsky.feed.post`` records are stored (other
collections are refused at create, and absent at delete); the sniffer is linkdeck's
(:mod:`providers.media.sniff`, photo and video formats) where the PDS uses the file-type package,
so a PDF or a ZIP sent as ``*/*`` stays ``*/*`` here (and is refused as an image all the same).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock
from providers.media.sniff import HEAD_BYTES
from providers.media.sniff import mime_type as sniff_mime  # the project's one sniffer, as the PDS sniffs
from providers.networks.bluesky.sandbox_appview import POST, AppView
from providers.networks.bluesky.sandbox_lexicon import (
    Repo,
    Session,
    blob_refusal,
    cid_of,
    did_document,
    did_of,
    handle_of,
    post_problem,
    record_cid,
    tid,
    user_for,
    xrpc_error,
)
from providers.networks.bluesky.sandbox_sessions import APP_PASSWORD

DEFAULT_SETTINGS: dict[str, Any] = {
    "max_graphemes": 300,
    "max_text_bytes": 3000,
    "image_max_bytes": 2_000_000,
    "blob_upload_limit": 50 * 1024 * 1024,
    "video_max_bytes": 100_000_000,
}
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_RECORD_KEY = re.compile(r"^(?!\.{1,2}$)[A-Za-z0-9._:~-]{1,512}$")  # atproto.com/specs/record-key
_NSID = re.compile(
    r"^[a-zA-Z][a-zA-Z0-9-]{0,62}(\.[a-zA-Z0-9][a-zA-Z0-9-]{0,62})+\.[a-zA-Z][a-zA-Z0-9]{0,62}$"
)


class BlueskyServer(AppView):
    kind = "bluesky"
    network = "Bluesky"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.settings = dict(DEFAULT_SETTINGS)
        self.routes = Routes()
        x = "/xrpc/"
        for method, nsid, handler in (
            ("POST", "com.atproto.server.createSession", self.create_session),
            ("POST", "com.atproto.server.refreshSession", self.refresh_session),
            ("POST", "com.atproto.server.deleteSession", self.delete_session),
            ("GET", "com.atproto.server.getSession", self.get_session),
            ("GET", "com.atproto.server.describeServer", self.describe_server),
            ("GET", "com.atproto.identity.resolveHandle", self.resolve_handle),
            ("GET", "com.atproto.repo.describeRepo", self.describe_repo),
            ("GET", "com.atproto.repo.getRecord", self.get_record),
            ("POST", "com.atproto.repo.createRecord", self.create_record),
            ("POST", "com.atproto.repo.deleteRecord", self.delete_record),
            ("POST", "com.atproto.repo.uploadBlob", self.upload_blob),
            ("GET", "com.atproto.sync.getBlob", self.get_blob),
            ("GET", "app.bsky.actor.getProfile", self.get_profile),
            ("GET", "app.bsky.feed.getAuthorFeed", self.get_author_feed),
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

    # The server and identities --------------------------------------------------------------------

    async def describe_server(self, call: Call) -> web.Response:
        """As the local @atproto/pds answers it (0.4.217): no invite needed, handles under the
        entryway's domain; bsky.social's own links and contact are not known here, so left empty."""
        return json_reply(
            {
                "did": f"did:web:{self.host}",
                "availableUserDomains": [".bsky.social"],
                "inviteCodeRequired": False,
                "links": {},
                "contact": {},
            }
        )

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
        collections = [POST] if self.repos.get(did_of(user), Repo()).records else []
        return json_reply(
            {
                "handle": handle_of(user),
                "did": did_of(user),
                "didDoc": did_document(user, call.base),
                "collections": collections,
                "handleIsCorrect": True,
            }
        )

    # Repo -----------------------------------------------------------------------------------------

    async def upload_blob(self, call: Call) -> web.Response:
        session = self._bearer(call, self.access)
        if isinstance(session, web.Response):
            return session
        if not call.request.headers.get("Content-Type"):
            return xrpc_error(
                400, "InvalidRequest", "Request encoding (Content-Type) required but not provided"
            )
        data = await call.request.read()
        if len(data) > self.settings["blob_upload_limit"]:
            return xrpc_error(413, "PayloadTooLarge", "request entity too large")
        # The PDS keeps the type it sniffs from the bytes, whatever was declared (the atproto SDK
        # sends */*), and the declared one only for bytes it does not recognise.
        mime = sniff_mime(data[:HEAD_BYTES]) or call.request.content_type
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
        record = repo.records.get(rkey) if repo and collection == POST else None
        if user is None or record is None:
            uri = f"at://{call.text('repo')}/{collection}/{rkey}"
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return json_reply(
            {
                "uri": f"at://{did_of(user)}/{collection}/{rkey}",
                "cid": record_cid(record),
                "value": record,
            }
        )

    async def create_record(self, call: Call) -> web.Response:
        session = self._bearer(call, self.access)
        if isinstance(session, web.Response):
            return session
        refused = self._not_own_repo(call, session)
        if refused is not None:
            return refused
        if call.params.get("collection") != POST:
            return xrpc_error(
                400, "InvalidRequest", "Invalid collection: this sandbox stores app.bsky.feed.post"
            )
        record = call.params.get("record")
        repo = self.repos.setdefault(session.did, Repo())
        problem = post_problem(record, self.settings)
        if problem or not isinstance(record, dict):
            return xrpc_error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        blob = blob_refusal(record, repo)
        if blob is not None:
            return xrpc_error(400, *blob)
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
        cid = record_cid(record)
        uri = f"at://{session.did}/app.bsky.feed.post/{rkey}"
        return json_reply(
            {"uri": uri, "cid": cid, "commit": {"cid": cid, "rev": rkey}, "validationStatus": "valid"}
        )

    async def delete_record(self, call: Call) -> web.Response:
        """``com.atproto.repo.deleteRecord``: ``{"commit": …}`` when a record went, ``{}`` when
        there was none (as recorded from bsky.social and the local PDS); the input checked first."""
        session = self._bearer(call, self.access)
        if isinstance(session, web.Response):
            return session
        for key in ("repo", "collection", "rkey"):
            if not isinstance(call.params.get(key), str):
                return xrpc_error(400, "InvalidRequest", f'Missing required key "{key}" at $')
        collection, rkey = call.text("collection") or "", call.text("rkey") or ""
        if not _NSID.match(collection):
            return xrpc_error(400, "InvalidRequest", f'Invalid NSID (got "{collection}") at $.collection')
        if not _RECORD_KEY.match(rkey):
            return xrpc_error(400, "InvalidRequest", f'Invalid record key (got "{rkey}") at $.rkey')
        refused = self._not_own_repo(call, session)
        if refused is not None:
            return refused
        repo = self.repos.setdefault(session.did, Repo())
        if collection != POST or repo.records.pop(rkey, None) is None:
            return json_reply({})
        rev = tid(self.clock.now())
        return json_reply({"commit": {"cid": record_cid({"did": session.did, "rev": rev}), "rev": rev}})

    def _not_own_repo(self, call: Call, session: Session) -> web.Response | None:
        """A write to a repo that is not the signed-in account's, answered as the PDS answers it:
        403 AccountNotFound for an account it does not host, 401 for another account's."""
        user = user_for(call.text("repo") or "")
        if user is None:
            return xrpc_error(403, "AccountNotFound", "Account not found")
        if did_of(user) != session.did:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        return None


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
