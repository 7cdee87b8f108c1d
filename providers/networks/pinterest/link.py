"""Linking Pinterest: OAuth 2 with the user's own app, then the boards to choose from.

On the developer-app base (providers.signin.developer_app) with what only Pinterest has: the app
authenticates at ``POST /v5/oauth/token`` with HTTP Basic (client_secret_basic) and sends
``continuous_refresh=true`` on the code exchange and on every refresh (apps created before
2025-09-25 otherwise get the legacy refresh token, no longer supported); who signed in is
``GET /v5/user_account``; the targets are the account's boards (``GET /v5/boards``, every page),
by their numeric id, because Pins name their board by id. An account with no board cannot be
posted to, so linking it says so instead of linking something that cannot work.

Pinterest has no revocation for a user's token (``POST /v5/oauth/token/revoke`` takes system-user
tokens only), so :meth:`revoke` stays the base's "no": unlinking points to Pinterest's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import LinkError
from providers.interface import Profile
from providers.signin.developer_app import DeveloperAppSignIn
from providers.spec import TargetKind

if TYPE_CHECKING:
    from providers.auth.types import Token

BOARD_PAGES = 20  # at most 20 pages of 250 boards: 5,000 boards to choose from


class PinterestSignIn(DeveloperAppSignIn):
    token_auth_method: ClassVar[str] = "client_secret_basic"
    token_params: ClassVar[Mapping[str, str]] = {"continuous_refresh": "true"}

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        username = body.get("username")
        remote_id = body.get("id") or username
        if not isinstance(username, str) or not username or not isinstance(remote_id, str | int):
            raise LinkError(f"{self.spec.name} answered the account lookup without a username.")
        business = body.get("business_name")
        avatar = body.get("profile_image")
        return Profile(
            remote_id=str(remote_id),
            handle=f"@{username}",
            display_name=business if isinstance(business, str) and business.strip() else username,
            avatar_url=avatar
            if isinstance(avatar, str) and avatar.startswith(("http://", "https://"))
            else None,
        )

    async def profile(self, token: Token, instance: str | None) -> Profile:
        from dataclasses import replace

        profile = await super().profile(token, instance)
        boards = await self.boards(token)
        if not boards:
            raise LinkError(
                f"{self.spec.name}: {profile.handle} has no boards, and every Pin goes on a board. "
                "Create a board on pinterest.com, then link the account again."
            )
        return replace(profile, targets=boards)

    async def boards(self, token: Token) -> list[tuple[str, str, str]]:
        """The account's boards as (kind, id, name), following the ``bookmark`` pages."""
        from providers.auth.failures import describe_http_failure
        from providers.failures import response_problem
        from providers.http import async_client

        url = f"{self.spec.endpoints.api_base}/boards"
        headers = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        found: list[tuple[str, str, str]] = []
        params: dict[str, str] = {"page_size": "250"}
        try:
            async with async_client() as client:
                for _ in range(BOARD_PAGES):
                    response = await client.get(url, headers=headers, params=params)
                    body = _json(response) if response.status_code == 200 else None
                    if body is None:
                        raise LinkError(response_problem(self.spec.name, response, "listing your boards"))
                    for board in body.get("items") or []:
                        if isinstance(board, dict) and isinstance(board.get("id"), str | int):
                            name = str(board.get("name") or board["id"])
                            found.append((TargetKind.BOARD.value, str(board["id"]), name))
                    bookmark = body.get("bookmark")
                    if not isinstance(bookmark, str) or not bookmark:
                        break
                    params["bookmark"] = bookmark
        except LinkError:
            raise
        except Exception as exc:
            raise LinkError(describe_http_failure(self.spec.name, "boards", exc)) from None
        return found


def _json(response: Any) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


SIGN_IN = PinterestSignIn
