"""The emulated Bluesky PDS's fixed identities (demo users' DIDs, handles, DID documents), its
JWT-shaped tokens and record keys, and its record check in the PDS's two steps: ``app.bsky.feed.post``
validated like the lexicon, blob refs by what they declare (:func:`post_problem`), then each blob
against the upload it names (:func:`blob_refusal`).

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


RAW, DAG_CBOR = 0x55, 0x71  # multicodec codes: a blob's bytes, a record or commit


def cid_of(data: bytes, codec: int = RAW) -> str:
    """A CIDv1 with a SHA-256 multihash in base32, as a PDS writes them: a blob's is the very CID a
    PDS gives the same bytes (``bafkrei…``)."""
    multihash = bytes([1, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(multihash).decode().lower().rstrip("=")


def record_cid(value: Any) -> str:
    """A record's (or commit's) CID in the dag-cbor form a PDS gives it (``bafyrei…``); the digest
    is of the JSON, not of the DAG-CBOR encoding a PDS hashes, so it is not the one a PDS would
    compute for the same record."""
    return cid_of(json.dumps(value, sort_keys=True).encode(), DAG_CBOR)


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


def post_problem(record: Any, settings: Mapping[str, int]) -> str | None:
    """What is wrong with a post record by the lexicon (without the "Invalid … record: " prefix);
    None if valid. Blobs are judged by what the record says of them, as the PDS's lexicon check
    does; whether they match what was uploaded is :func:`blob_refusal`'s, after this."""
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
    return embed_problem(embed, settings) if embed is not None else None


def embed_problem(embed: Any, settings: Mapping[str, int]) -> str | None:
    kind = embed.get("$type") if isinstance(embed, dict) else None
    if kind == "app.bsky.embed.video":
        return blob_problem(embed, "video", "$.record.embed.video", "video/mp4", settings["video_max_bytes"])
    if kind != "app.bsky.embed.images" or not isinstance(embed.get("images"), list):
        return "Record/embed must be app.bsky.embed.images or app.bsky.embed.video"
    images = embed["images"]
    if not images or len(images) > 4:
        return f"Record/embed/images must not have more than 4 elements (got {len(images)})"
    for number, image in enumerate(images):
        if not isinstance(image, dict):
            return "Record/embed/images must be objects"
        path = f"$.record.embed.images[{number}].image"
        problem = blob_problem(image, "image", path, "image/*", settings["image_max_bytes"])
        if problem:
            return problem
    return None


def blob_problem(holder: dict[str, Any], key: str, path: str, accept: str, limit: int) -> str | None:
    """An image or video entry: its ``alt``, ``aspectRatio`` and the blob ref's declared type and
    size against the lexicon's ``accept`` and ``maxSize``, in @atproto/lex-schema's words."""
    if not isinstance(holder.get("alt"), str) and key == "image":
        return 'Record/embed/images must have the property "alt"'
    ratio = holder.get("aspectRatio")
    if ratio is not None and not (
        isinstance(ratio, dict)
        and all(isinstance(ratio.get(k), int) and ratio[k] >= 1 for k in ("width", "height"))
    ):
        return "Record/embed/aspectRatio must have positive integer width and height"
    blob = holder.get(key)
    mime, size = (blob.get("mimeType"), blob.get("size")) if isinstance(blob, dict) else (None, None)
    if not isinstance(blob_cid(blob), str) or not isinstance(mime, str) or not isinstance(size, int):
        return f"Expected blob value type (got {type(blob).__name__}) at {path}"
    if not (mime.startswith(accept[:-1]) if accept.endswith("/*") else mime == accept):
        return f'Expected "{accept}" (got "{mime}") at {path}.mimeType'
    if size > limit:
        return f"blob too big (maximum {limit}, got {size}) at {path}"
    return None


def blob_cid(blob: Any) -> str | None:
    ref = blob.get("ref") if isinstance(blob, dict) else None
    link = ref.get("$link") if isinstance(ref, dict) else None
    return link if isinstance(link, str) else None


def embedded_blobs(record: dict[str, Any]) -> list[dict[str, Any]]:
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return []
    if embed.get("$type") == "app.bsky.embed.video":
        return [embed["video"]]
    return [image["image"] for image in embed.get("images") or []]


def blob_refusal(record: dict[str, Any], repo: Repo) -> tuple[str, str] | None:
    """(error, message) when a blob a valid record points at is not this account's upload as the
    record describes it: the PDS's verifyBlob (actor-store/blob/transactor.ts), after the lexicon."""
    for blob in embedded_blobs(record):
        cid = blob_cid(blob) or ""
        if cid not in repo.blobs:
            return "BlobNotFound", f"Could not find blob: {cid}"
        data, mime = repo.blobs[cid]
        if blob["mimeType"] != mime:
            expected = f"Expected: {mime}, Got: {blob['mimeType']}"
            return "InvalidMimeType", f"Referenced Mimetype does not match stored blob. {expected}"
        if blob["size"] != len(data):
            expected = f"Expected: {len(data)}, Got: {blob['size']}"
            return "InvalidSize", f"Referenced Size does not match stored blob. {expected}"
    return None
