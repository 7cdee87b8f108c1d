"""The emulated Bluesky PDS's fixed identities (demo users' DIDs, handles, DID documents), its
JWT-shaped tokens and record keys, and its record check: ``app.bsky.feed.post`` validated like the
lexicon.

Kept apart from the endpoints (:mod:`.sandbox`, :mod:`.sandbox_sessions`) so each stays small.
Messages are worded like @atproto/pds's (checked against 0.4.217 run locally) and the bskyr
recording of a too-long post (``shared/fixtures/recorded/bluesky/bskyr/r_post_errors.yml``),
because linkdeck maps them to its own sentences and a test should see what a real server says.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import json_reply

TOO_LONG = "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"


def did_of(user: people.User) -> str:
    return (
        "did:plc:" + base64.b32encode(hashlib.sha256(user.username.encode()).digest()).decode()[:24].lower()
    )


def handle_of(user: people.User) -> str:
    return f"{user.username}.bsky.social"


def did_document(user: people.User, pds: str) -> dict[str, Any]:
    did = did_of(user)
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "alsoKnownAs": [f"at://{handle_of(user)}"],
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}],
    }


def user_for(identifier: str) -> people.User | None:
    wanted = identifier.strip().lower().lstrip("@")
    for user in people.USERS:
        if wanted in (handle_of(user), did_of(user), f"{user.username}@example.com"):
            return user
    return None


def jwt(kind: str, did: str, exp: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"scope": kind, "sub": did, "exp": int(exp), "jti": secrets.token_hex(8)}
    return f"{part({'typ': kind, 'alg': 'HS256'})}.{part(claims)}.{secrets.token_urlsafe(32)}"


def xrpc_error(status: int, error: str, message: str) -> web.Response:
    return json_reply({"error": error, "message": message}, status)


def cid_of(data: bytes) -> str:
    return "bafkrei" + base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")[:52]


@dataclass
class Session:
    did: str
    expires: float
    revoked: bool = False


def tid(now: float) -> str:
    number = (int(now * 1_000_000) << 10) | secrets.randbelow(1024)
    alphabet, out = "234567abcdefghijklmnopqrstuvwxyz", ""
    for _ in range(13):
        out = alphabet[number & 31] + out
        number >>= 5
    return out


@dataclass
class Repo:
    """One account's repo in memory: post records and uploaded blobs."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # rkey → record
    blobs: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # cid → (data, mime)


def post_problem(record: Any, repo: Repo, settings: Mapping[str, int]) -> str | None:
    """What is wrong with a post record (without the "Invalid … record: " prefix); None if valid."""
    import regex

    if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
        return "Record/$type must be app.bsky.feed.post"
    text = record.get("text")
    if not isinstance(text, str):
        return 'Record must have the property "text"'
    if len(regex.findall(r"\X", text)) > settings["max_graphemes"]:
        return TOO_LONG.removeprefix("Invalid app.bsky.feed.post record: ")
    size = len(text.encode("utf-8"))
    if size > settings["max_text_bytes"]:
        return f"Record/text must not be longer than {settings['max_text_bytes']} characters"
    if not isinstance(record.get("createdAt"), str):
        return 'Record must have the property "createdAt"'
    for facet in record.get("facets") or []:
        index = facet.get("index", {}) if isinstance(facet, dict) else {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
            return "Record/facets/index must be a byte range inside the text"
        if not facet.get("features"):
            return "Record/facets/features must not be empty"
    embed = record.get("embed")
    return embed_problem(embed, repo, settings) if embed is not None else None


def embed_problem(embed: Any, repo: Repo, settings: Mapping[str, int]) -> str | None:
    kind = embed.get("$type") if isinstance(embed, dict) else None
    if kind == "app.bsky.embed.video":
        return blob_problem(embed, "video", repo, "video/mp4", settings["video_max_bytes"])
    if kind != "app.bsky.embed.images" or not isinstance(embed.get("images"), list):
        return "Record/embed must be app.bsky.embed.images or app.bsky.embed.video"
    images = embed["images"]
    if not images or len(images) > 4:
        return f"Record/embed/images must not have more than 4 elements (got {len(images)})"
    for image in images:
        if not isinstance(image, dict):
            return "Record/embed/images must be objects"
        problem = blob_problem(image, "image", repo, "image/", settings["image_max_bytes"])
        if problem:
            return problem
    return None


def blob_problem(holder: dict[str, Any], key: str, repo: Repo, accept: str, limit: int) -> str | None:
    """An image or video entry: its ``alt``, ``aspectRatio`` and the blob it points at."""
    if not isinstance(holder.get("alt"), str) and key == "image":
        return 'Record/embed/images must have the property "alt"'
    ratio = holder.get("aspectRatio")
    if ratio is not None and not (
        isinstance(ratio, dict)
        and all(isinstance(ratio.get(k), int) and ratio[k] >= 1 for k in ("width", "height"))
    ):
        return "Record/embed/aspectRatio must have positive integer width and height"
    blob = holder.get(key)
    ref = blob.get("ref", {}).get("$link") if isinstance(blob, dict) else None
    if not isinstance(ref, str) or ref not in repo.blobs:
        return f"Could not find blob: {ref}"
    data, mime = repo.blobs[ref]
    if not mime.startswith(accept):
        return f"Wrong type of file. It is {mime} but it must match {accept}"
    if len(data) > limit:
        return f"blob too big (maximum {limit}, got {len(data)}) at $.record.embed.{key}"
    return None
