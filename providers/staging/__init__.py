"""Media staging: a public, short-lived https address for a local file, for networks that fetch
media themselves instead of taking an upload.

Some networks' APIs take no file, only an address they fetch the file from while they publish
(the caller gives ``sourceUrl``/``image_url``). A file on this computer has no such address, so
it is *staged*: put in an S3-compatible bucket the user owns (``[staging]`` in config.toml, the
secret key in the keyring), handed to the network as a presigned GET address that expires
(an hour by default), and deleted as soon as the post is made, or has failed.

A publisher declares that it needs this (``Publisher.stages_media``); the outbox gives it a
:class:`providers.interface.Staging` made here from the settings and the vault, or refuses the
post before anything is sent when there is none, naming the fix (:func:`not_set_up`). Nothing
here names a network.

Public API::

    staging = staging_for(settings, vault)      # a Staging, or None without [staging]
    async with staging.staged(path, progress=…) as url:   # uploaded; deleted on leaving
        ...hand url to the network...
    not_set_up(network_name) -> str              # the refusal, with the fix
    unreachable(config) -> str | None             # why networks could not fetch from this bucket

Why botocore signs and httpx2 sends (:mod:`providers.staging.s3`): botocore (AWS's own, the core of
boto3) gets Signature V4, regions and bucket addressing right for every S3-compatible service;
it is only asked to presign URLs, which is local computation, so its blocking HTTP stack is never
used. The bytes go out through httpx2 like every other upload: async, streamed from disk in
chunks with progress (providers.publishing.multipart), never whole in memory. aiobotocore would
add aiohttp sessions and a pinned botocore range for the same three requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from providers.interface import Staging
    from providers.settings import Settings, StagingSettings
    from providers.vault import Vault

# The keyring entry of the bucket's secret access key: `linkdeck config set-secret staging`
# (or LINKDECK_STAGING_CLIENT_SECRET), kept like a developer app's client secret.
SECRET_NAME = "staging"

Progress = Callable[[int, int], None]


def staging_for(settings: Settings, vault: Vault) -> Staging | None:
    """The staging ``settings`` configure, or None when there is no ``[staging]`` section.
    A section without its secret key in the vault is None too (:func:`not_set_up` says both)."""
    config = settings.staging
    if config is None:
        return None
    secret = vault.get_client_secret(SECRET_NAME)
    if not secret:
        return None
    from providers.staging.s3 import S3Staging

    return S3Staging(config, secret)


def not_set_up(network_name: str) -> str:
    """Why a post that needs staging was refused before anything was sent, and the fix."""
    return (
        f"{network_name} fetches photos from a public address, and no media staging is set up, so "
        "nothing was sent. Add an S3-compatible bucket to config.toml as [staging] (endpoint_url, "
        "bucket, region, access_key_id) and store its secret key with "
        "`linkdeck config set-secret staging`; Help for the network explains it."
    )


def unreachable(config: StagingSettings) -> str | None:
    """Why a network could not fetch from this bucket's addresses (None: it can): they must be
    https on a public host. A loopback or private bucket is allowed while every network host is
    the sandbox (``LINKDECK_SANDBOX_URL``), which runs on this machine too."""
    import ipaddress
    from urllib.parse import urlsplit

    from providers.http import sandbox_url

    if config.endpoint_url is None or sandbox_url():
        return None  # AWS S3 itself is public https
    parts = urlsplit(config.endpoint_url)
    host = (parts.hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        private = host in ("localhost", "") or host.endswith((".localhost", ".local", ".internal", ".lan"))
    else:
        private = not address.is_global
    if private:
        return (
            f"[staging] endpoint_url {parts.netloc} is on this computer or a private network, where "
            "the network's servers cannot fetch the photo; use a bucket reachable from the internet"
        )
    if parts.scheme != "https":
        return f"[staging] endpoint_url must be https for the network to fetch from it, not {parts.scheme}"
    return None
