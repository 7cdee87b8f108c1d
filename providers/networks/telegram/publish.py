"""Publishing to Telegram as the linked bot, into the chat or channel chosen when linking
(``account.target_id``).

One request makes the post, with the files in it (core.telegram.org/bots/api#sending-files,
multipart, streamed from disk): ``sendMessage`` for words only (4,096 characters), ``sendPhoto``
or ``sendVideo`` for one file, ``sendMediaGroup`` for an album of 2–10 photos and videos whose
caption rides on the first item (1,024 characters). So ``report.committing()`` comes before the
upload: a post whose answer is lost may exist.

Errors come as ``{"ok": false, "error_code", "description", "parameters"}``; the only code is the
HTTP status, so :meth:`TelegramPublisher.error_code` names the few fixed descriptions that mean
something other than their status says ("chat not found", a bot kicked out, a group that became
a supergroup, an album refused part-way: "failed to send message #N …", whose first items may be
out, so it is never resent blindly). Flood control (429) waits ``parameters.retry_after`` seconds.

Recovery is :attr:`Recovery.CHECK`: the Bot API takes no idempotency key and cannot list the
messages a bot has sent, so a post whose answer was lost is shown as "unknown — check" with the
channel's address, never sent again blindly.

Links: ``https://t.me/<username>/<message_id>`` in public channels and groups,
``https://t.me/c/<id>/<message_id>`` (members only) in private channels and supergroups, none in
private chats and basic groups (``url`` None: the queue shows the post as sent without a link).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.telegram.botapi import API_BASE, answer_of, message_link, method_url, username_in

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.publishing.multipart import FilePart
    from providers.store import Account, Delivery, Post

ALBUM_MAX = 10  # python-telegram-bot@1183d40 constants.MediaGroupLimit.MAX_MEDIA_LENGTH
UPLOAD_TIMEOUT = 600.0
_RELINK = "link Telegram again and choose where to post"
ERROR_RULES: dict[str, Rule] = {
    "401": Rule(
        "reconnect",
        "The bot token no longer works (a /revoke in @BotFather ends it): link Telegram again with "
        "the new token.",
    ),
    "404": Rule("reconnect", "Telegram does not know this bot token any more: link Telegram again."),
    "chat not found": Rule(
        "refused", f"The chat or channel is gone, or your bot can no longer see it: {_RELINK}."
    ),
    "upgraded": Rule(
        "refused", f"The group became a supergroup with a new id: {_RELINK} (choose the group again)."
    ),
    "no rights": Rule(
        "refused",
        f"Your bot may no longer post there: make it an administrator allowed to post, or {_RELINK}.",
    ),
    "429": Rule("try_later", "Telegram limits how fast a bot may post (about 1 message a second per chat)."),
    # An album sends its items one by one: a refusal part-way leaves the first ones in the chat.
    "partial": Rule(
        "try_later", "Part of the album may be in the chat already: look there before sending it again."
    ),
}
# Descriptions (after "Bad Request: " / "Forbidden: ") that name the rule: Telegram's fixed words.
_NO_RIGHTS = (
    "bot was kicked",
    "bot is not a member",
    "not enough rights",
    "need administrator rights",
    "bot was blocked by the user",
    "user is deactivated",
    "chat_write_forbidden",
    "have no rights to send",
)


class TelegramPublisher(Publisher):
    recovery = Recovery.CHECK
    error_rules: ClassVar[Mapping[str, Rule]] = ERROR_RULES

    def profile_url(self, account: Account) -> str | None:
        username = username_in(account.target_name or "")
        return f"https://t.me/{username}" if username else None

    def error_code(self, response: httpx2.Response) -> str | None:
        _, _, code, description, parameters = answer_of(_json(response))
        code = code or response.status_code
        words = description.split(": ", 1)[-1].lower()
        if code in (401, 404, 429):
            return str(code)
        if words.startswith("failed to send message #"):
            return "partial"
        if "migrate_to_chat_id" in parameters:
            return "upgraded"
        if code == 400 and words == "chat not found":
            return "chat not found"
        if code in (400, 403) and words.startswith(_NO_RIGHTS):
            return "no rights"
        return None

    def refused(
        self, response: httpx2.Response, name: str, what: str, *, committing: bool = False
    ) -> PublishError:
        """As the base does, with Telegram's ``description`` as its words and, under flood
        control, its ``parameters.retry_after`` as the wait."""
        _, _, _, description, parameters = answer_of(_json(response))
        rules = dict(self.error_rules)
        wait = parameters.get("retry_after")
        if isinstance(wait, int | float) and not isinstance(wait, bool):
            rules["429"] = Rule(rules["429"].kind, rules["429"].advice, wait=float(wait))
        code = self.error_code(response)
        error = classify(
            response, name, what, committing=committing, code=code, rules=rules, said=description or None
        )
        if code == "partial":  # never resent blindly: the outbox marks it "unknown — check"
            return PublishError(error.kind, error.message, maybe_published=True, status=error.status)
        return error

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        name = self.name(account)
        chat = account.target_id
        if not chat:
            raise PublishError(
                "refused", f"{name}: no chat or channel is chosen for {account.handle}; {_RELINK}."
            )
        files = [Path(f) for f in post.media]
        if len(files) > ALBUM_MAX:
            raise PublishError(
                "fix_media",
                f"{name} albums hold 2–{ALBUM_MAX} photos and videos; this post has {len(files)}.",
            )
        if not files and not post.caption.strip():
            raise PublishError("fix_media", f"{name}: a post with no file needs some text.")
        for file in files:
            if not file.is_file():
                raise PublishError(
                    "fix_media", f"{name}: {file.name} is no longer at {file}; nothing was sent."
                )
        kinds = [_kind(file) for file in files]
        method, fields, parts = _request(chat, post.caption, files, kinds)
        base = self.spec.endpoints.api_base or API_BASE
        url = method_url(
            str(token.get("access_token") or ""), method, base
        )  # never shown: it holds the token
        what = "sending the post" if len(files) < 2 else f"sending the album of {len(files)}"
        if report is not None:
            await report.committing()
        try:
            if parts:
                from providers.publishing.multipart import StreamedFiles

                progress = (
                    None
                    if report is None
                    else (lambda index, sent, total: report.uploading(index, len(parts), sent, total))
                )
                body = StreamedFiles(fields, parts, progress=progress)
                response = await self.client.post(
                    url, content=body, headers=body.headers, timeout=UPLOAD_TIMEOUT
                )
            else:
                response = await self.client.post(url, data=dict(fields))
        except Exception as exc:  # its text may hold the address, which holds the token: not shown
            raise from_exception(exc, name, what, committing=True) from None
        ok, result, *_ = answer_of(_json(response))
        if response.status_code != 200 or not ok:
            raise self.refused(response, name, what, committing=True)
        first = result[0] if isinstance(result, list) and result else result
        if not isinstance(first, dict) or "message_id" not in first:
            raise PublishError(
                "try_later", f"{name} answered the post without its message.", maybe_published=True
            )
        found = first.get("chat")
        where: dict[str, Any] = found if isinstance(found, dict) else {"id": chat}
        message_id = first["message_id"]
        return PublishResult(f"{where.get('id', chat)}/{message_id}", message_link(where, message_id))


def _kind(path: Path) -> str:
    """A "photo" or a "video", from the first bytes (the outbox has judged the file already)."""
    from providers.media.model import MediaKind
    from providers.media.sniff import HEAD_BYTES, sniff

    with path.open("rb") as handle:
        kind, _ = sniff(handle.read(HEAD_BYTES))
    return "video" if kind is MediaKind.VIDEO else "photo"


def _request(
    chat: str, caption: str, files: list[Path], kinds: list[str]
) -> tuple[str, list[tuple[str, str]], list[FilePart]]:
    """(method, form fields, file parts) of the one request that makes the post."""
    from providers.publishing.multipart import FilePart

    fields = [("chat_id", chat)]
    if not files:
        return "sendMessage", [*fields, ("text", caption)], []
    mime = {"photo": "image/jpeg", "video": "video/mp4"}
    if len(files) == 1:
        kind = kinds[0]
        extra = [("supports_streaming", "true")] if kind == "video" else []
        method = "sendVideo" if kind == "video" else "sendPhoto"
        text = [("caption", caption)] if caption else []
        return method, [*fields, *text, *extra], [FilePart(kind, files[0], _mime(files[0], mime[kind]))]
    media: list[dict[str, Any]] = []
    for index, kind in enumerate(kinds):
        item: dict[str, Any] = {"type": kind, "media": f"attach://file{index}"}
        if index == 0 and caption:
            item["caption"] = caption
        if kind == "video":
            item["supports_streaming"] = True
        media.append(item)
    parts = [
        FilePart(f"file{i}", f, _mime(f, mime[k])) for i, (f, k) in enumerate(zip(files, kinds, strict=True))
    ]
    return "sendMediaGroup", [*fields, ("media", json.dumps(media))], parts


def _mime(path: Path, fallback: str) -> str:
    import mimetypes

    return mimetypes.guess_type(path.name)[0] or fallback


def _json(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


PUBLISHER = TelegramPublisher
