"""Linking X: OAuth 2.0 with PKCE S256 as the user's own public "Native App" client (no secret),
redirected to the fixed loopback port the user registered (the spec's ``fixed_port``, the one
``doctor`` and Help name), pasted back when the browser is on another machine.

Everything but the account document comes from the developer-app base and the spec: the five
scopes, the 2-hour tokens refreshed single-flight by the engine's token keeper (offline.access),
revocation at ``/2/oauth2/revoke`` on unlink. A user whose app is a confidential "Web App" may set
a secret; X then wants HTTP Basic at the token endpoint.

Who signed in: ``GET /2/users/me?user.fields=profile_image_url,subscription_type``. The
subscription type (None, Basic, Premium, PremiumPlus) decides how long a post may be
(:mod:`.rules`); it is kept beside the token in the keyring (no schema change for it), and read
again at each link.

With ``[networks.x] route = "pin"``, an app that has only OAuth 1.0a keys links through X's PIN
page instead (:mod:`.pin`): the same profile call, signed, and invalidation on unlink.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Authorized, Conversation, Profile
from providers.networks.x import pin
from providers.signin.developer_app import DeveloperAppSignIn

if TYPE_CHECKING:
    from providers.auth.types import Token

PROFILE_FIELDS = "profile_image_url,subscription_type"
SUBSCRIPTION_KEY = "x_subscription_type"  # kept with the token (not a secret, but no column for it)


class XSignIn(DeveloperAppSignIn):
    token_auth_method = "client_secret_basic"  # confidential X apps: Basic (public ones send none)

    def profile_params(self) -> dict[str, str]:
        return {"user.fields": PROFILE_FIELDS}

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        if not pin.chosen(self.spec, self.settings):
            return await super().authorize(talk, instance)
        from providers.auth.oauth1 import OAuth1Flow
        from providers.auth.types import RedirectKind
        from providers.redirects import LINK_TIMEOUT

        config = pin.consumer_config(self.spec, self.settings, self.vault)
        token = await talk.browser(OAuth1Flow(config, redirect=RedirectKind.OOB, timeout=LINK_TIMEOUT))
        token[pin.CONSUMER_KEY] = config.client_id
        return Authorized(None, token)

    async def profile(self, token: Token, instance: str | None) -> Profile:
        if pin.is_pin_token(token):
            profile = await self._signed_profile(token)
        else:
            profile = await super().profile(token, instance)
        token[SUBSCRIPTION_KEY] = self._subscription  # stored with the token by the link session
        return profile

    async def _signed_profile(self, token: Token) -> Profile:
        from providers.auth.failures import describe_http_failure
        from providers.signin.oauth1 import signed_request

        config = pin.consumer_config(self.spec, self.settings, self.vault)
        url = self.spec.endpoints.profile or f"{pin.API}/2/users/me"
        try:
            response = await signed_request("GET", config, url, token, params=self.profile_params())
        except Exception as exc:
            raise LinkError(describe_http_failure(self.spec.name, "account", exc)) from None
        return self.profile_from(response)

    async def revoke(self, token: Token, instance: str | None) -> bool:
        if not pin.is_pin_token(token):
            return await super().revoke(token, instance)
        from providers.signin.oauth1 import signed_request

        try:
            config = pin.consumer_config(self.spec, self.settings, self.vault)
            response = await signed_request("POST", config, pin.INVALIDATE, token)
        except Exception:  # no keys, or X unreachable: revoke never raises, the unlink says so
            return False
        return response.status_code == 200

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        data = body.get("data")
        if not isinstance(data, Mapping):
            raise LinkError(f"{self.spec.name} answered the account lookup without the account (data).")
        user_id, username = data.get("id"), data.get("username")
        if not isinstance(user_id, str) or not user_id or not isinstance(username, str) or not username:
            raise LinkError(f"{self.spec.name} answered the account lookup without an id and username.")
        name = data.get("name")
        avatar = data.get("profile_image_url")
        subscription = data.get("subscription_type")
        self._subscription = subscription if isinstance(subscription, str) else "None"
        return Profile(
            remote_id=user_id,
            handle=f"@{username}",
            display_name=name if isinstance(name, str) and name.strip() else username,
            avatar_url=avatar
            if isinstance(avatar, str) and avatar.startswith(("http://", "https://"))
            else None,
        )

    _subscription: str = "None"


SIGN_IN = XSignIn
