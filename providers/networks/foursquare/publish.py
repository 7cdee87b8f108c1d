"""Publishing to Foursquare: a check-in at the account's venue (its target, chosen when linking),
the caption as its shout, and one photo added to it.

``POST /v2/checkins/add`` (``venueId``, ``shout`` ≤ 140 characters, ``broadcast=public``) makes the
check-in; it is the creating request (``report.committing()`` right before it). The photo follows,
streamed as multipart to ``POST /v2/photos/add`` (``checkinId``, the file as ``photo``, JPEG), since
v2 takes photos only for something that exists. The link is the check-in's short URL when
Foursquare gives one, else its page on Swarm.

Once the check-in exists it is never made again: a photo whose answer is lost or that meets a
server problem makes the delivery "unknown" (``maybe_published``), and the look-up finds the
check-in and adds the photo if it is not there; a photo Foursquare refuses fails the delivery with
a message saying the check-in is there without it. ``Recovery.LOOKUP``: checkins/add has no
idempotency key, so after a lost answer the check-in is looked for in ``/v2/users/self/checkins``
(newest first: the same venue and shout, made after the send).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers import clock
from providers.errors import PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.foursquare.api import API, error_detail, error_type, params, response

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.store import Account, Delivery, Post

NAME = "Foursquare"
SWARM = "https://www.swarmapp.com"
CLOCK_SLACK = timedelta(minutes=10)  # Foursquare's clock against this machine's, for the look-up
LISTING_GRACE = timedelta(minutes=10)  # until then "not among the newest" means "not yet"
LOOKUP_LIMIT = 20

_AGAIN = "Link Foursquare again."
ERROR_RULES: dict[str, Rule] = {
    "invalid_auth": Rule("reconnect", _AGAIN),
    "not_authorized": Rule("refused", "The account may not do this; check the venue or link again."),
    "param_error": Rule("fix_media", "Change the shout or the photo, or link again to choose another venue."),
    "endpoint_error": Rule("refused", "linkdeck called something this API does not have."),
    "deprecated": Rule("refused", "Foursquare no longer accepts this v2 call."),
    "rate_limit_exceeded": Rule("try_later", "linkdeck tries again in an hour.", wait=3600.0),
    "quota_exceeded": Rule("try_later", "linkdeck tries again in an hour.", wait=3600.0),
    "server_error": Rule("try_later", "linkdeck tries again later."),
    "other": Rule("try_later", "linkdeck tries again later."),
}


def checkin_url(checkin: Any, user_id: str) -> str | None:
    """The check-in's short URL, else its page on Swarm."""
    if not isinstance(checkin, dict):
        return None
    short = checkin.get("checkinShortUrl")
    if isinstance(short, str) and short.startswith("https://"):
        return short
    found = checkin.get("id")
    return f"{SWARM}/user/{user_id}/checkin/{found}" if isinstance(found, str) and found else None


class FoursquarePublisher(Publisher):
    recovery = Recovery.LOOKUP
    can_lookup = True
    error_rules = ERROR_RULES

    def name(self, account: Account) -> str:
        return NAME

    def profile_url(self, account: Account) -> str | None:
        return f"https://foursquare.com/user/{account.remote_id}"

    def error_code(self, response: httpx2.Response) -> str | None:
        try:
            return error_type(response.json())
        except ValueError:
            return None

    def refused(
        self, response: httpx2.Response, name: str, what: str, *, committing: bool = False
    ) -> PublishError:
        """Foursquare puts its words in ``meta.errorDetail``."""
        try:
            said = error_detail(response.json()) or None
        except ValueError:
            said = None
        code = self.error_code(response)
        return classify(
            response, name, what, committing=committing, code=code, rules=self.error_rules, said=said
        )

    async def _call(self, method: str, path: str, what: str, *, committing: bool = False, **kw: Any) -> Any:
        """The ``response`` of a v2 call, or the PublishError its answer (or silence) means."""
        try:
            answer = await self.client.request(method, f"{API}{path}", **kw)
        except Exception as exc:
            raise from_exception(exc, NAME, what, committing=committing) from None
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.status_code != 200 or not isinstance(body, dict):
            raise self.refused(answer, NAME, what, committing=committing)
        return response(body)

    # Publishing ---------------------------------------------------------------------------------

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        venue = delivery.target_id or account.target_id
        if not venue:
            raise PublishError(
                "refused", f"{NAME}: the account has no venue chosen; link it again to choose one."
            )
        if len(post.media) > 1:
            raise PublishError("fix_media", f"{NAME}: a check-in takes one photo; post one file.")
        fields = {"venueId": venue, "broadcast": "public"}
        shout = post.caption.strip()
        if shout:
            fields["shout"] = shout
        if report is not None:
            await report.committing()
        made = await self._call(
            "POST", "/checkins/add", "checking in", committing=True, data=params(token, **fields)
        )
        checkin = made.get("checkin")
        checkin_id = checkin.get("id") if isinstance(checkin, dict) else None
        if not isinstance(checkin_id, str) or not checkin_id:
            raise PublishError(
                "try_later",
                f"{NAME} answered the check-in without its id; linkdeck looks it up rather than "
                "checking in twice.",
                maybe_published=True,
            )
        result = PublishResult(checkin_id, checkin_url(checkin, account.remote_id))
        if post.media:
            await self._add_photo(Path(post.media[0]), checkin_id, result, token, report)
        return result

    async def _add_photo(
        self, path: Path, checkin_id: str, made: PublishResult, token: Token, report: Reporter | None
    ) -> None:
        """Stream the photo to the check-in. The check-in exists: no failure here may make it again."""
        from providers.publishing.multipart import StreamedMultipart

        def progress(sent: int, total: int) -> None:
            if report is not None:
                report.uploading(0, 1, sent, total)

        form = sorted(params(token, checkinId=checkin_id, broadcast="public").items())
        stream = StreamedMultipart(form, "photo", path, content_type="image/jpeg", progress=progress)
        try:
            await self._call(
                "POST", "/photos/add", f"adding {path.name}", content=stream, headers=stream.headers
            )
        except PublishError as exc:
            there = f"The check-in is made ({made.url or made.remote_post_id})"
            if exc.kind == "try_later":
                raise PublishError(
                    "try_later",
                    f"{exc.message} {there}; linkdeck adds the photo when it looks the check-in up.",
                    retry_after=exc.retry_after,
                    maybe_published=True,
                ) from None
            raise PublishError(
                "refused", f"{exc.message} {there} without its photo; it is not made twice."
            ) from None

    # Looking a check-in up ----------------------------------------------------------------------

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The check-in among the account's newest (same venue and shout, made after the send),
        its photo added if the post has one and the check-in has none. Not there within
        :data:`LISTING_GRACE`: PublishError (asked again later); after it, None (never made)."""
        venue = delivery.target_id or account.target_id or ""
        shout = post.caption.strip()
        committed = delivery.committed_at or delivery.updated_at
        floor = int((committed - CLOCK_SLACK).timestamp())
        found = await self._call(
            "GET", "/users/self/checkins", "looking the check-in up",
            params=params(token, limit=str(LOOKUP_LIMIT), sort="newest", afterTimestamp=str(floor)),
        )  # fmt: skip
        checkins = found.get("checkins")
        items = checkins.get("items") if isinstance(checkins, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            place = item.get("venue")
            created = item.get("createdAt")
            if (
                isinstance(place, dict)
                and place.get("id") == venue
                and str(item.get("shout") or "") == shout
                and isinstance(created, int | float)
                and created >= floor
            ):
                result = PublishResult(item["id"], checkin_url(item, account.remote_id))
                photos = item.get("photos")
                count = photos.get("count") if isinstance(photos, dict) else 0
                if post.media and not count:
                    await self._add_photo(Path(post.media[0]), item["id"], result, token, None)
                return result
        if clock.now() - committed < LISTING_GRACE:
            raise PublishError(
                "try_later",
                f"{NAME} does not list the check-in yet; linkdeck looks again before checking in.",
            )
        return None


PUBLISHER = FoursquarePublisher
