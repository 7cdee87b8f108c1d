"""Linking LinkedIn: OAuth 2 with the user's own LinkedIn app, on the developer-app base.

Which flow (learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow-native
and …/authorization-code-flow): LinkedIn enables its native PKCE flow only for apps it chooses,
and such an app signs in with no client secret. So the stored secret decides: with one, the
standard flow (the secret at the token endpoint, the redirect URL exactly as registered, port
8080 by default); without one, the native flow (PKCE S256, a loopback redirect on that port too).

Scopes: ``openid profile w_member_social`` always; the organization scopes only when the user says
their app has LinkedIn's Community Management product (``[networks.linkedin] optional_scopes =
true``), because LinkedIn refuses the whole sign-in for a scope the app's products lack.

Who signed in: OpenID Connect ``/v2/userinfo`` (sub, name, picture). Where posts go: the member
themself, and with the organization scopes every Page they administer (``organizationAcls``,
versioned), each a target to choose. No revocation: LinkedIn documents no revoke call for member
tokens, so unlinking points to the member's Permitted services page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Profile
from providers.networks.linkedin.rest import API_BASE, rest_headers
from providers.signin.developer_app import DeveloperAppSignIn

if TYPE_CHECKING:
    from providers.auth.types import ClientConfig, Token

NAME = "LinkedIn"


def granted(token: Mapping[str, Any]) -> set[str]:
    """The scopes a token was granted (LinkedIn separates them with commas)."""
    return {s for s in re.split(r"[,\s]+", str(token.get("scope") or "")) if s}


def member_urn(person_id: str) -> str:
    return f"urn:li:person:{person_id}"


class LinkedInSignIn(DeveloperAppSignIn):
    def client_config(self) -> ClientConfig:
        import dataclasses

        config = super().client_config()
        # No secret: the app must be one LinkedIn enabled the native PKCE flow for.
        return dataclasses.replace(config, pkce=not config.client_secret)

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        """OpenID Connect userinfo (sub, name, picture); the legacy ``/v2/me`` lite profile (id,
        localizedFirstName, localizedLastName) is read too, as apps on the older product get it."""
        sub, name = body.get("sub") or body.get("id"), body.get("name")
        if not isinstance(sub, str) or not sub:
            raise LinkError(f"{NAME} answered who signed in without the member's id (sub).")
        if not isinstance(name, str) or not name.strip():
            parts = [
                body.get(k) for k in ("given_name", "family_name", "localizedFirstName", "localizedLastName")
            ]
            name = " ".join(p for p in parts if isinstance(p, str) and p) or sub
        picture = body.get("picture")
        return Profile(
            remote_id=sub,
            handle=name,
            display_name=name,
            avatar_url=picture if isinstance(picture, str) and picture.startswith("https://") else None,
            targets=[("profile", member_urn(sub), f"{name} (your profile)")],
        )

    async def profile(self, token: Token, instance: str | None) -> Profile:
        import dataclasses

        member = await super().profile(token, instance)
        if "rw_organization_admin" not in granted(token):
            return member
        pages = await self.organizations(token)
        return dataclasses.replace(member, targets=[*member.targets, *pages])

    async def organizations(self, token: Token) -> list[tuple[str, str, str]]:
        """The Pages the member administers, as (kind, URN, name) targets."""
        from providers.auth.failures import describe_http_failure
        from providers.failures import response_problem
        from providers.http import async_client

        headers = rest_headers(token)
        params = {"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"}
        found: list[tuple[str, str, str]] = []
        try:
            async with async_client() as client:
                acls = await client.get(f"{API_BASE}/rest/organizationAcls", params=params, headers=headers)
                if acls.status_code != 200:
                    raise LinkError(response_problem(NAME, acls, "listing the Pages you administer"))
                for element in acls.json().get("elements") or []:
                    urn = element.get("organization") if isinstance(element, dict) else None
                    if not isinstance(urn, str) or not urn.startswith("urn:li:organization:"):
                        continue
                    page = await client.get(
                        f"{API_BASE}/rest/organizations/{urn.rsplit(':', 1)[-1]}", headers=headers
                    )
                    body = page.json() if page.status_code == 200 else {}
                    name = body.get("localizedName") if isinstance(body, dict) else None
                    found.append(("organization", urn, name if isinstance(name, str) and name else urn))
        except LinkError:
            raise
        except ValueError:
            raise LinkError(
                f"{NAME} answered the list of your Pages with something that is not JSON."
            ) from None
        except Exception as exc:
            raise LinkError(describe_http_failure(NAME, "Pages", exc)) from None
        return found


SIGN_IN = LinkedInSignIn
