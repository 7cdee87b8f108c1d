"""What a network's post history gives linkdeck to import (``providers/networks/<id>/history.py``'s
``HISTORY``): one published post on one account, with the network's id for it and its link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Imported:
    remote_post_id: str  # as the publisher records it, so a post linkdeck sent is matched
    caption: str
    posted_at: datetime
    url: str | None
