"""The AppView part of the emulated ``bsky.social``: ``app.bsky.actor.getProfile`` and
``app.bsky.feed.getAuthorFeed``, which bsky.social's PDS answers by proxying them to the AppView
(api.bsky.app), so a client sees them on the PDS it signed in to. The atproto SDK's ``login``
reads the profile (``Client.me``) and its ``send_post`` needs it for the repo's DID.

Shapes as the AppView's (lexicons app.bsky.actor.defs#profileViewDetailed, app.bsky.feed.defs
#feedViewPost and #postView, app.bsky.embed.images#view and .video#view; a real post view in
``shared/fixtures/recorded/bluesky/atproto-python/thread_view_post_with_embed_media.json``,
MarshalX/atproto@568529b, MIT). Images are served from this host (``com.atproto.sync.getBlob``)
where the AppView links its CDN's resized copies; counts of likes, replies and reposts are 0.
A local @atproto/pds with no AppView configured answers these 400 "No service configured for
app.bsky.feed.getAuthorFeed" instead (tests/servers/atproto, checked against 0.4.217).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import Clock
from providers.networks.bluesky.sandbox_lexicon import (
    Repo,
    blob_cid,
    did_of,
    embedded_blobs,
    handle_of,
    record_cid,
    user_for,
    xrpc_error,
)
from providers.networks.bluesky.sandbox_sessions import PdsSessions

POST = "app.bsky.feed.post"
FEED_LIMIT = (1, 100, 50)  # app.bsky.feed.getAuthorFeed's limit: minimum, maximum, default


class AppView(PdsSessions):
    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.repos: dict[str, Repo] = {}  # DID → the account's repo (records and blobs)

    def avatar_url(self, call: Call, user: people.User) -> str:
        return f"{call.base}/img/avatar/{user.username}.png"

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
                "avatar": self.avatar_url(call, user),
                "postsCount": len(self.repos.get(did_of(user), Repo()).records),
                "labels": [],
            }
        )

    async def avatar(self, call: Call) -> web.StreamResponse:
        name = call.match["file"].removesuffix(".png")
        if people.user(name) is None or not call.match["file"].endswith(".png"):
            return xrpc_error(404, "NotFound", "Not Found")
        return web.Response(body=people.avatar_png(name), content_type="image/png")

    async def get_author_feed(self, call: Call) -> web.Response:
        """The actor's posts, newest first (record keys are TIDs: they sort by time), ``limit`` at
        a time from the ``cursor`` (the last record key of the page before); ``filter``
        posts_with_media and posts_with_video narrow it, any other value lists every post (the
        lexicon's ``knownValues`` do not bind). A missing actor or a limit out of range is refused,
        as the lexicon has it, in words of the sandbox's own: the local PDS answers bad parameters
        500, so a real AppView's wording was not seen here."""
        session = self._bearer(call, self.access)
        if isinstance(session, web.Response):
            return session
        if not call.text("actor"):
            return xrpc_error(400, "InvalidRequest", 'Params must have the property "actor"')
        user = user_for(call.text("actor") or "")
        if user is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        low, high, default = FEED_LIMIT
        limit = call.text("limit") or str(default)
        if not limit.isdigit() or not low <= int(limit) <= high:
            return xrpc_error(400, "InvalidRequest", f"limit must be an integer from {low} to {high}")
        repo = self.repos.get(did_of(user), Repo())
        wanted = {"posts_with_media": ("image", "video"), "posts_with_video": ("video",)}
        kinds = wanted.get(call.text("filter") or "")
        keys = sorted(repo.records, reverse=True)
        keys = [k for k in keys if k < (call.text("cursor") or "~")]
        keys = [k for k in keys if kinds is None or media_kind(repo.records[k]) in kinds]
        page = keys[: int(limit)]
        body: dict[str, Any] = {"feed": [{"post": self.post_view(call, user, k, repo)} for k in page]}
        if len(keys) > len(page):
            body["cursor"] = page[-1]
        return json_reply(body)

    def post_view(self, call: Call, user: people.User, rkey: str, repo: Repo) -> dict[str, Any]:
        record = repo.records[rkey]
        did = did_of(user)
        view: dict[str, Any] = {
            "uri": f"at://{did}/{POST}/{rkey}",
            "cid": record_cid(record),
            "author": {
                "did": did,
                "handle": handle_of(user),
                "displayName": user.display_name,
                "avatar": self.avatar_url(call, user),
                "labels": [],
            },
            "record": record,
        }
        embed = self.embed_view(call, did, record)
        if embed is not None:
            view["embed"] = embed
        counts = dict.fromkeys(("replyCount", "repostCount", "likeCount", "quoteCount"), 0)
        return {**view, **counts, "indexedAt": record.get("createdAt"), "labels": []}

    def embed_view(self, call: Call, did: str, record: dict[str, Any]) -> dict[str, Any] | None:
        embed = record.get("embed")
        if not isinstance(embed, dict):
            return None
        urls = [
            f"{call.base}/xrpc/com.atproto.sync.getBlob?did={did}&cid={blob_cid(b)}"
            for b in embedded_blobs(record)
        ]
        if embed.get("$type") == "app.bsky.embed.video":
            video = {"cid": blob_cid(embed["video"]), "playlist": urls[0], "alt": embed.get("alt")}
            return {"$type": "app.bsky.embed.video#view", **video, **_ratio(embed)}
        images = [
            {"thumb": url, "fullsize": url, "alt": image.get("alt", ""), **_ratio(image)}
            for url, image in zip(urls, embed.get("images") or [], strict=True)
        ]
        return {"$type": "app.bsky.embed.images#view", "images": images}


def media_kind(record: dict[str, Any]) -> str | None:
    embed = record.get("embed")
    kind = embed.get("$type") if isinstance(embed, dict) else None
    return {"app.bsky.embed.images": "image", "app.bsky.embed.video": "video"}.get(kind or "")


def _ratio(holder: dict[str, Any]) -> dict[str, Any]:
    ratio = holder.get("aspectRatio")
    return {"aspectRatio": ratio} if ratio is not None else {}
