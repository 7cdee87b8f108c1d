"""Staging in an S3-compatible bucket: botocore presigns, httpx2 sends (why: providers.staging).

Each file gets a fresh, unguessable key under the settings' prefix (``linkdeck-staging/<random>.jpg``)
so no two posts share an object and the address cannot be found by anyone it was not given to.
Three requests, each to a presigned URL made just before it is sent:

1. ``PUT`` the file, streamed, with its length and type (S3 wants the length up front);
2. the ``GET`` address, valid ``url_seconds`` (an hour by default), is what the network fetches;
3. ``DELETE`` on leaving the block, whether publishing worked or not. S3 answers 204 for a key that
   is already gone, so a second try cannot fail. A delete that does not go through is logged and
   never fails the post (the post is made; the address still expires). A lifecycle rule on the
   prefix (expire after a day) is a good safety net and the Help page suggests it.

The staging endpoint is the user's own bucket, not a network host, so these requests do not take
the sandbox rewrite (providers.http): a bucket on this machine (moto, MinIO) is reached as it is.
Secrets (the secret key, the signatures in presigned URLs) are never logged or put in messages.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from providers.errors import PublishError
from providers.staging import Progress

if TYPE_CHECKING:
    import httpx2

    from providers.settings import StagingSettings

log = logging.getLogger("linkdeck.staging")

# S3 error codes that no retry fixes: the settings are wrong (AWS S3 ErrorResponses).
SETTINGS_CODES = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "NoSuchBucket",
        "AllAccessDisabled",
        "AuthorizationHeaderMalformed",
        "PermanentRedirect",
        "InvalidBucketName",
    }
)


class S3Staging:
    def __init__(self, config: StagingSettings, secret_key: str) -> None:
        self.config = config
        self._secret_key = secret_key
        self._signer: Any = None

    def __repr__(self) -> str:  # never the secret key
        return f"<S3Staging bucket={self.config.bucket!r}>"

    @property
    def label(self) -> str:
        """The bucket as messages name it: "the staging bucket photos (s3.example.com)"."""
        host = urlsplit(self.config.endpoint_url).netloc if self.config.endpoint_url else "AWS S3"
        return f"the staging bucket {self.config.bucket} ({host})"

    def signer(self) -> Any:
        """A botocore S3 client, only ever used to presign (it makes no request itself)."""
        if self._signer is None:
            import botocore.session
            from botocore.config import Config

            config = self.config
            style = "path" if config.endpoint_url else "virtual"  # MinIO, moto, R2: path; AWS: virtual
            self._signer = botocore.session.Session().create_client(
                "s3",
                region_name=config.region,
                endpoint_url=config.endpoint_url,
                aws_access_key_id=config.access_key_id,
                aws_secret_access_key=self._secret_key,
                config=Config(signature_version="s3v4", s3={"addressing_style": style}),
            )
        return self._signer

    def presign(self, method: str, key: str, seconds: int, **params: str) -> str:
        operation = {"PUT": "put_object", "GET": "get_object", "DELETE": "delete_object"}[method]
        url: str = self.signer().generate_presigned_url(
            operation,
            Params={"Bucket": self.config.bucket, "Key": key, **params},
            ExpiresIn=seconds,
            HttpMethod=method,
        )
        return url

    def new_key(self, path: Path) -> str:
        suffix = path.suffix.lower() if path.suffix.isascii() and len(path.suffix) <= 6 else ""
        return f"{self.config.prefix}{secrets.token_urlsafe(18)}{suffix}"

    @asynccontextmanager
    async def staged(
        self, path: Path, *, content_type: str, progress: Progress | None = None
    ) -> AsyncIterator[str]:
        import httpx2

        from providers.staging import unreachable

        problem = unreachable(self.config)
        if problem is not None:  # nothing is uploaded where no network could fetch it
            raise PublishError("refused", f"{problem}; nothing was published.")
        key = self.new_key(path)
        async with httpx2.AsyncClient(
            timeout=httpx2.Timeout(30.0, read=120.0, write=120.0), headers={"User-Agent": "linkdeck"}
        ) as client:
            await self._put(client, key, path, content_type, progress)
            try:
                yield self.presign("GET", key, self.config.url_seconds)
            finally:
                await self._delete(client, key)

    async def _put(
        self,
        client: httpx2.AsyncClient,
        key: str,
        path: Path,
        content_type: str,
        progress: Progress | None,
    ) -> None:
        from providers.failures import from_exception
        from providers.publishing.multipart import StreamedFile

        what = f"staging {path.name}"
        try:
            body = StreamedFile(path, content_type=content_type, progress=progress)
            url = self.presign("PUT", key, 900, ContentType=content_type)
            response = await client.put(url, content=body, headers=body.headers)
        except PublishError:
            raise
        except Exception as exc:
            raise from_exception(exc, self.label, what) from None
        if response.status_code != 200:
            raise self.refused(response, what)
        log.info("staged a file in %s", self.label)

    async def _delete(self, client: httpx2.AsyncClient, key: str) -> None:
        try:
            response = await client.delete(self.presign("DELETE", key, 900))
        except Exception as exc:  # the post stands; the address expires by itself
            log.warning("could not delete a staged file from %s: %s", self.label, type(exc).__name__)
            return
        if response.status_code not in (200, 204):
            log.warning("%s refused to delete a staged file: HTTP %d", self.label, response.status_code)
        else:
            log.info("deleted the staged file from %s", self.label)

    def refused(self, response: httpx2.Response, what: str) -> PublishError:
        """An S3 error answer as the outbox's error: the settings' fault is ``refused`` with the fix,
        anything else by its status (providers.failures)."""
        from providers.failures import classify

        code, message = s3_error(response.content)
        said = f"{code}: {message}" if code and message else code or message
        if code in SETTINGS_CODES or response.status_code in (401, 403, 404):
            return PublishError(
                "refused",
                f"{self.label} refused {what} ({said or f'HTTP {response.status_code}'}). Check "
                "[staging] in config.toml (endpoint_url, bucket, region, access_key_id) and the "
                "secret key (`linkdeck config set-secret staging`); nothing was published.",
                status=response.status_code,
            )
        return classify(response, self.label, what, said=said)


def s3_error(body: bytes) -> tuple[str, str]:
    """(Code, Message) of an S3 ``<Error>`` document; empty strings when it is not one."""
    if not body.lstrip().startswith(b"<"):
        return "", ""
    try:
        root = ElementTree.fromstring(body[:65536])  # the user's own bucket's answer
    except ElementTree.ParseError:
        return "", ""
    return (root.findtext("Code") or "").strip()[:100], (root.findtext("Message") or "").strip()[:300]
