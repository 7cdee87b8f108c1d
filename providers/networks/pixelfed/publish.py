"""Publishing to Pixelfed: photos first, no Idempotency-Key (posts are looked up after a crash)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from providers.interface import Recovery
from providers.publishing.mastodon_api import MastodonApiPublisher

if TYPE_CHECKING:
    from providers.store import Account


class PixelfedPublisher(MastodonApiPublisher):
    """Pixelfed: the same endpoints; photos first (the spec says a post needs media; the album and
    caption limits come from its instance document), no Idempotency-Key support (pixelfed/
    pixelfed@8aae92d app/Http/Controllers/Api/ApiV1Controller.php statusCreate), so a post whose
    process died while sending is looked up by caption instead of resent."""

    recovery = Recovery.LOOKUP
    idempotency_seconds = None

    def profile_url(self, account: Account) -> str | None:
        username = account.handle.lstrip("@").split("@")[0]
        return f"{account.instance.rstrip('/')}/{username}" if account.instance and username else None


PUBLISHER = PixelfedPublisher
