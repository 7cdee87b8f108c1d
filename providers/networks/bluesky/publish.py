"""Publishing to Bluesky: text with facets, up to 4 images with alt text and aspect ratio, or one
video, as an ``app.bsky.feed.post`` record in the account's own repo (the outbox's
:class:`~providers.interface.Publisher` for Bluesky).

Steps: check the caption (300 graphemes, 3,000 UTF-8 bytes) and the media (kind, count, size)
locally so a bad post fails before anything is uploaded; ``com.atproto.repo.uploadBlob`` each file
with its sniffed MIME type; build facets (links, mentions resolved to DIDs, tags; UTF-8 byte
offsets — :mod:`.bluesky_facets`); ``com.atproto.repo.createRecord``. The answer's ``at://`` URI
gives the post URL ``https://bsky.app/profile/<handle>/post/<rkey>``.

Why the aspect ratio is computed here: the app lays the image out before it loads, from the
record's ``aspectRatio``; it must be the *displayed* size, i.e. after the EXIF orientation (a phone
portrait stored landscape with orientation 6 is taller than wide) or a video's rotation.

Limits: each image at most ``spec.media.image_max_bytes`` (2,000,000 B since atproto d8801e2); a
PDS that is not up to date refuses more than 1,000,000 in the record ("blob too big (maximum
1000000 …)"), reported with the server's maximum and the compress fix. Video: one mp4 per post,
uploaded as a blob to the account's PDS and embedded as ``app.bsky.embed.video``.

Sign-in: the session is read from the vault and refreshed here (single-flight
:class:`~.bluesky_session.SessionKeeper`) when it expires within a minute or a call answers
ExpiredToken/401 — an app-password session renews with ``refreshSession`` and an OAuth one with a
DPoP-bound refresh grant, neither of which the outbox's generic OAuth refresh speaks; a refusal
after that is ``reconnect``. OAuth requests carry a DPoP proof each (:mod:`.bluesky_dpop`).

Errors (:class:`~providers.errors.PublishError`): 400 InvalidRequest and 413 →
``fix_media`` with the server's message; 429 → ``try_later`` with Retry-After / RateLimit-Reset;
5xx and lost connections → ``try_later``.

No double posts: the record key is a TID fixed per delivery (:func:`tid_for` of its creation time
and idempotency key). Before creating, the record is looked up; if an earlier attempt made it, that
post is returned. :meth:`BlueskyPublisher.lookup` does the same for crash recovery.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from providers import clock
from providers.errors import LinkError, PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.bluesky.facets import build_facets
from providers.networks.bluesky.media import check_caption, embed, load_media, tid_for
from providers.networks.bluesky.session import SessionKeeper
from providers.networks.bluesky.xrpc import NAME, TOKEN_ERRORS, RenewLater, error_of

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.spec import NetworkSpec
    from providers.store import Account, Delivery, Post, Store
    from providers.vault import Vault


_MAXIMUM = re.compile(r"maximum (\d+)")


def post_url(handle: str, uri: str) -> str:
    """The bsky.app address of the post ``at://did/app.bsky.feed.post/rkey``."""
    return f"https://bsky.app/profile/{handle.lstrip('@')}/post/{uri.rsplit('/', 1)[-1]}"


# XRPC error codes (the ``error`` field) and what they mean for the post; any other code falls
# back to the status (providers.failures). The PDS answers a record it refuses (a caption over
# 300 graphemes, an image over its size) with InvalidRequest and names the rule in ``message``.
_COMPRESS = "Use the compress fix to make it smaller, then post again."
ERROR_RULES: dict[str, Rule] = {
    **dict.fromkeys(TOKEN_ERRORS, Rule("reconnect", "Link the account again.")),
    "PayloadTooLarge": Rule("fix_media", _COMPRESS),
    "BlobTooLarge": Rule("fix_media", _COMPRESS),
    "InvalidRequest": Rule("fix_media", "Fix the caption or media and post again."),
}


def refusal(response: httpx2.Response, what: str, *, committing: bool = False) -> PublishError:
    """A failed XRPC answer as the outbox's error, naming Bluesky, the rule and the fix."""
    code, detail = error_of(response)
    error = classify(
        response, NAME, what, committing=committing, code=code, rules=ERROR_RULES, said=detail or None
    )
    found = _MAXIMUM.search(detail) if error.kind == "fix_media" else None
    if found is not None:  # the server's own limit, so the fix can aim under it
        error = PublishError(
            error.kind,
            f"{error.message} This server takes at most {int(found.group(1)):,} bytes per file; "
            f"{_COMPRESS[0].lower()}{_COMPRESS[1:]}",
            status=error.status,
        )
    return error


class BlueskyPublisher(Publisher):
    recovery = Recovery.LOOKUP
    error_rules = ERROR_RULES

    def error_code(self, response: httpx2.Response) -> str | None:
        return error_of(response)[0] or None

    def __init__(
        self,
        spec: NetworkSpec,
        client: httpx2.AsyncClient,
        vault: Vault | None = None,
        store: Store | None = None,
    ) -> None:
        super().__init__(spec, client)
        self._vault, self._store = vault, store

    def name(self, account: Account) -> str:
        return NAME

    def profile_url(self, account: Account) -> str | None:
        return f"https://bsky.app/profile/{account.handle.lstrip('@') or account.remote_id}"

    async def limits(self, account: Account) -> NetworkSpec:
        return self.spec  # a PDS publishes no limits; refusals carry the server's own maximum

    def keeper(self) -> SessionKeeper:
        """The session keeper on the given vault and store, or the defaults (the outbox makes
        publishers with a client only)."""
        if self._vault is None:
            from providers.vault import Vault

            self._vault = Vault()
        return SessionKeeper(self._vault, self._store)

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        check_caption(post.caption, self.spec)
        blobs = load_media(list(post.media), self.spec)
        session = _Session(self, account)
        await session.start()
        rkey = tid_for(delivery.created_at, delivery.idempotency_key)
        existing = await session.find(rkey)
        if existing is not None:
            return existing
        uploaded = []
        for index, blob in enumerate(blobs):
            if report is not None:
                report.uploading(index, len(blobs), 0, len(blob.data))
            what = f"uploading file {index + 1} of {len(blobs)}"
            answer = await session.send(
                "POST", "com.atproto.repo.uploadBlob", what, content=blob.data, mime=blob.mime
            )
            uploaded.append(answer["blob"])
            if report is not None:
                report.uploading(index, len(blobs), len(blob.data), len(blob.data))
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": post.caption,
            "createdAt": clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        facets = await build_facets(post.caption, session.resolve)
        if facets:
            record["facets"] = facets
        if uploaded:
            record["embed"] = embed(blobs, uploaded, list(post.descriptions))
        body = {"repo": session.did, "collection": "app.bsky.feed.post", "rkey": rkey, "record": record}
        if report is not None:
            await report.committing()
        answer = await session.send(
            "POST", "com.atproto.repo.createRecord", "creating the post", json=body, committing=True
        )
        return PublishResult(answer["uri"], post_url(session.handle, answer["uri"]))

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        session = _Session(self, account)
        await session.start()
        return await session.find(tid_for(delivery.created_at, delivery.idempotency_key))


class _Session:
    """One publish: the account's session (refreshed once on ExpiredToken/401) and its calls."""

    def __init__(self, publisher: BlueskyPublisher, account: Account) -> None:
        self.publisher, self.account = publisher, account
        self.keeper = publisher.keeper()
        self.token: Token = {}

    async def start(self) -> None:
        try:
            self.token = await self.keeper.fresh_token(self.account)
        except LinkError as exc:
            raise _sign_in_failure(exc) from None

    @property
    def did(self) -> str:
        return str(self.token.get("did") or self.account.remote_id)

    @property
    def handle(self) -> str:
        return str(self.token.get("handle") or self.account.handle)

    async def request(self, method: str, nsid: str, what: str, **kw: Any) -> httpx2.Response:
        """The call (Bearer for an app-password session, DPoP for OAuth), once more after a refresh
        if the PDS says the access token is spent."""
        pds = str(self.token.get("pds") or self.account.instance or "").rstrip("/")
        mime, committing = kw.pop("mime", None), kw.pop("committing", False)
        for attempt in (1, 2):
            access = str(self.token.get("access_token") or "")
            headers = {"Content-Type": mime} if mime else {}
            url, client = f"{pds}/xrpc/{nsid}", self.publisher.client
            try:
                if self.token.get("method") == "oauth":  # DPoP-bound: a proof per request
                    from providers.networks.bluesky.dpop import dpop_request

                    response = await dpop_request(
                        client, method, url, self.token, headers=headers, timeout=300.0, **kw
                    )
                else:
                    headers["Authorization"] = f"Bearer {access}"
                    response = await client.request(method, url, headers=headers, timeout=300.0, **kw)
            except Exception as exc:
                raise from_exception(exc, NAME, what, committing=committing) from None
            if attempt == 1 and (response.status_code == 401 or error_of(response)[0] in TOKEN_ERRORS):
                try:
                    self.token = await self.keeper.after_unauthorized(self.account, access)
                except LinkError as exc:
                    raise _sign_in_failure(exc) from None
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def send(self, method: str, nsid: str, what: str, **kw: Any) -> dict[str, Any]:
        committing = bool(kw.get("committing"))
        response = await self.request(method, nsid, what, **kw)
        try:
            body = response.json() if response.status_code == 200 else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise refusal(response, what, committing=committing)
        return body

    async def find(self, rkey: str) -> PublishResult | None:
        params = {"repo": self.did, "collection": "app.bsky.feed.post", "rkey": rkey}
        response = await self.request(
            "GET", "com.atproto.repo.getRecord", "looking the post up", params=params
        )
        if response.status_code == 400 and error_of(response)[0] == "RecordNotFound":
            return None
        if response.status_code != 200:
            raise refusal(response, "looking the post up")
        uri = response.json().get("uri")
        return PublishResult(uri, post_url(self.handle, uri)) if isinstance(uri, str) else None

    async def resolve(self, handle: str) -> str | None:
        params = {"handle": handle}
        response = await self.request(
            "GET", "com.atproto.identity.resolveHandle", "resolving a mention", params=params
        )
        did = response.json().get("did") if response.status_code == 200 else None
        return did if isinstance(did, str) else None


def _sign_in_failure(exc: LinkError) -> PublishError:
    """The keeper's refusal (the account is now "reconnect") or a renewal that must wait."""
    return PublishError("try_later" if isinstance(exc, RenewLater) else "reconnect", exc.message)


PUBLISHER = BlueskyPublisher
