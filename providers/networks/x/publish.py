"""Publishing to X (API v2): text, up to 4 photos, or one GIF, or one video, with alt text.

Steps: refuse what X would refuse before anything is sent (a GIF with other media, alt text over
1,000 characters; the outbox has already judged counts, sizes and the weighted caption against
:meth:`XPublisher.limits`); upload each file (:mod:`.upload`: one-shot for photos, initialize →
append → finalize → STATUS for GIFs and videos); add alt text; then ``POST /2/tweets`` {text,
media.media_ids}. The answer's id gives ``https://x.com/<username>/status/<id>``.

Caption length: 280 weighted (twitter-text, providers.captions), or
:data:`~.spec.SUBSCRIBED_MAX_LENGTH` for an account whose ``subscription_type`` (read at link,
kept with the token) is a paid one.

Rate limits: every answer's ``x-rate-limit-limit/remaining/reset`` is read and logged; when a
create answer says none remain, the next post to that account waits for the reset instead of
being refused (honoured per process); a 429 is retried at ``x-rate-limit-reset``
(providers.failures) and its message says how many remain and when the window resets.

Errors: 402 (credits exhausted, pay-per-use) and 403 tier errors (``client-forbidden``,
``client-not-enrolled``) are explained with the price per post from the catalog; other problems
carry X's own ``detail``.

Recovery: POST /2/tweets takes no idempotency key, so a lost answer is looked up
(``Recovery.LOOKUP``): the account's recent posts (``GET /2/users/{id}/tweets``) since the commit,
matched by text (t.co links that X puts in place of URLs and media are set aside).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers import clock
from providers.errors import PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.x import pin, problems
from providers.networks.x.link import SUBSCRIPTION_KEY
from providers.networks.x.spec import SUBSCRIBED_MAX_LENGTH
from providers.networks.x.upload import ALT_TEXT_MAX, MIME, Uploader

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.spec import NetworkSpec
    from providers.store import Account, Delivery, Post
    from providers.vault import Vault

log = logging.getLogger("linkdeck.networks.x")

UNSUBSCRIBED = ("", "None")
_URL = re.compile(r"https?://\S+")

ERROR_RULES: dict[str, Rule] = {
    "client-forbidden": Rule("refused", problems.TIER_ADVICE),
    "client-not-enrolled": Rule("refused", problems.TIER_ADVICE),
    "unsupported-authentication": Rule("reconnect", "Link the account again."),
    "usage-capped": Rule(
        "try_later", "The app's monthly post cap is used up; linkdeck tries again later.", wait=3600.0
    ),
}


def post_url(account: Account, post_id: str) -> str:
    return f"https://x.com/{account.handle.lstrip('@') or 'i/web'}/status/{post_id}"


def comparable(text: str) -> str:
    """A post's text as X may give it back: every URL one token (X shows t.co links), and the
    links at the end set aside (X appends one for the media), on both sides of a comparison."""
    words = _URL.sub("<url>", text).split()
    while words and words[-1] == "<url>":
        words.pop()
    return " ".join(words)


class XPublisher(Publisher):
    recovery = Recovery.LOOKUP
    error_rules: ClassVar[Mapping[str, Rule]] = ERROR_RULES
    # Per process: the moment each account's post window resets when a create said none remain.
    exhausted: ClassVar[dict[str, float]] = {}

    def __init__(self, spec: NetworkSpec, client: httpx2.AsyncClient, vault: Vault | None = None) -> None:
        super().__init__(spec, client)
        self._vault = vault

    def profile_url(self, account: Account) -> str | None:
        return f"https://x.com/{account.handle.lstrip('@')}" if account.handle else None

    def error_code(self, response: httpx2.Response) -> str | None:
        return problems.code_of(response)

    def refused(
        self,
        response: httpx2.Response,
        name: str,
        what: str,
        *,
        committing: bool = False,
        with_url: bool = False,
    ) -> PublishError:
        """X's answer in words; ``with_url``: the post has a link (X bills it more, said on a 402)."""
        code = self.error_code(response)
        said = problems.words_of(response)
        if response.status_code == 402 or code == "credits":
            return PublishError(
                "refused",
                f"{name} refused {what} (HTTP 402{': ' + said if said else ''}). "
                f"{problems.credits_advice(with_url)}",
                status=402,
            )
        error = classify(
            response, name, what, committing=committing, code=code, rules=self.error_rules, said=said
        )
        if response.status_code == 429:
            limit = problems.rate_limit(response)
            if limit is not None:
                return PublishError(
                    error.kind,
                    f"{error.message} X: {limit.shown()}.",
                    retry_after=error.retry_after,
                    status=429,
                )
        return error

    # Limits --------------------------------------------------------------------------------------

    def vault(self) -> Vault:
        if self._vault is None:
            from providers.vault import Vault

            self._vault = Vault()
        return self._vault

    async def limits(self, account: Account) -> NetworkSpec:
        """280 weighted, or the subscribers' length when the account has a paid subscription."""
        import dataclasses

        try:
            token = self.vault().get_token(account.vault_key) or {}
        except Exception:  # no keyring: judge by the common limit; X's refusal speaks if wrong
            token = {}
        if str(token.get(SUBSCRIPTION_KEY) or "") in UNSUBSCRIBED:
            return self.spec
        caption = dataclasses.replace(self.spec.caption, max_length=SUBSCRIBED_MAX_LENGTH)
        return dataclasses.replace(self.spec, caption=caption)

    # Publishing ----------------------------------------------------------------------------------

    def _api(self) -> str:
        return (self.spec.endpoints.api_base or "https://api.x.com").rstrip("/")

    def _auth(self, token: Token) -> tuple[dict[str, str], dict[str, Any]]:
        """(headers, request options) that authenticate as the account: the bearer token, or for
        the PIN route an OAuth 1.0a signature over each request."""
        if not pin.is_pin_token(token):
            return {"Authorization": f"Bearer {token.get('access_token', '')}"}, {}
        secret = pin.consumer_secret(self.spec.id, self.vault())
        if not secret:
            raise PublishError(
                "reconnect",
                f"{self.spec.name}: this account links with your app's OAuth 1.0a keys, and the API "
                f"Key Secret is no longer in the keyring; set it with `linkdeck config set-secret "
                f"{self.spec.id}`.",
            )
        return {}, {"auth": pin.signer(token, secret)}

    def _files(self, post: Post) -> list[tuple[Path, str, str]]:
        """(path, MIME type, media category) per file, refusing what X refuses before sending."""
        from providers.media.sniff import HEAD_BYTES, sniff

        files = []
        for path in (Path(p) for p in post.media):
            try:
                with path.open("rb") as handle:
                    kind, fmt = sniff(handle.read(HEAD_BYTES))
            except OSError:
                raise PublishError(
                    "fix_media", f"X: {path.name} can no longer be read; nothing was published."
                ) from None
            mime = MIME.get(fmt)
            if mime is None:
                raise PublishError(
                    "fix_media", f"X does not take {fmt or 'this kind of'} files ({path.name})."
                )
            category = "tweet_gif" if fmt == "gif" else ("tweet_video" if kind == "video" else "tweet_image")
            files.append((path, mime, category))
        if any(c == "tweet_gif" for _, _, c in files) and len(files) > 1:
            raise PublishError(
                "fix_media", "X takes a GIF only on its own in a post (up to 4 photos, or 1 GIF, or 1 video)."
            )
        for index, text in enumerate(post.descriptions):
            if len(text) > ALT_TEXT_MAX:
                raise PublishError(
                    "fix_media",
                    f"X alt text must be at most {ALT_TEXT_MAX:,} characters; "
                    f"file {index + 1}'s is {len(text):,}.",
                )
        return files

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        name, api = self.name(account), self._api()
        auth, signed = self._auth(token)
        with_url = bool(_URL.search(post.caption))
        files = self._files(post)
        reset = self.exhausted.get(account.vault_key)
        if reset is not None and reset > clock.timestamp():
            wait = reset - clock.timestamp()
            raise PublishError(
                "try_later",
                f"{name}: this account has no posts left in X's 15-minute window; linkdeck waits "
                f"{wait:.0f} s for it to reset.",
                retry_after=wait,
            )
        uploader = Uploader(
            self.client,
            api,
            auth,
            lambda r, what: self.refused(r, name, what, with_url=with_url),
            name,
            signed.get("auth"),
        )
        media_ids: list[str] = []
        for index, (path, mime, category) in enumerate(files):

            def progress(sent: int, total: int, index: int = index) -> None:
                if report is not None:
                    report.uploading(index, len(files), sent, total)

            if category == "tweet_image":
                media_id = await uploader.one_shot(path, mime, progress)
            else:
                media_id = await uploader.chunked(path, mime, category, index, len(files), report)
            alt = post.description_for(index)
            if alt:
                await uploader.alt_text(media_id, alt, path.name)
            media_ids.append(media_id)
        body: dict[str, Any] = {"text": post.caption}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        if report is not None:
            await report.committing()
        what = "creating the post"
        try:
            response = await self.client.post(
                f"{api}/2/tweets", json=body, headers=auth, timeout=120.0, **signed
            )
        except Exception as exc:
            raise from_exception(exc, name, what, committing=True) from None
        self._note_rate(account, response)
        if response.status_code not in (200, 201):
            raise self.refused(response, name, what, committing=True, with_url=with_url)
        data = problems.body_of(response).get("data")
        post_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(post_id, str) or not post_id:
            raise PublishError(
                "try_later",
                f"{name} answered without the new post's id; linkdeck looks it up before sending again.",
                maybe_published=True,
            )
        return PublishResult(post_id, post_url(account, post_id))

    def _note_rate(self, account: Account, response: httpx2.Response) -> None:
        limit = problems.rate_limit(response)
        if limit is None:
            return
        log.info("X posts for %s: %s", account.handle, limit.shown())
        if limit.remaining <= 0 and response.status_code in (200, 201):
            self.exhausted[account.vault_key] = limit.reset
        else:
            self.exhausted.pop(account.vault_key, None)

    # Recovery ------------------------------------------------------------------------------------

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        name, what = self.name(account), "looking for the post"
        since = (delivery.committed_at or delivery.updated_at) - timedelta(minutes=1)
        params = {
            "max_results": "20",
            "tweet.fields": "created_at",
            "start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        headers, signed = self._auth(token)
        try:
            response = await self.client.get(
                f"{self._api()}/2/users/{account.remote_id}/tweets", params=params, headers=headers, **signed
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        found = problems.body_of(response).get("data")
        wanted = comparable(post.caption)
        for tweet in found if isinstance(found, list) else []:
            if isinstance(tweet, dict) and comparable(str(tweet.get("text", ""))) == wanted:
                return PublishResult(str(tweet.get("id")), post_url(account, str(tweet.get("id"))))
        return None


PUBLISHER = XPublisher
