"""Meta's publishing-limit answers (Instagram's ``content_publishing_limit``, Threads'
``threads_publishing_limit``): ``{"data": [{"quota_usage": 3, "config": {"quota_total": 50,
"quota_duration": 86400}}]}``. Both networks answer the same shape, so it is read once here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers.interface import Quota

DAY = 24 * 3600


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def usage(body: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    """(quota_usage, config.quota_total); None where absent or not a number."""
    data = body.get("data") if isinstance(body, Mapping) else None
    first = data[0] if isinstance(data, list) and data and isinstance(data[0], Mapping) else {}
    config = first.get("config")
    total = config.get("quota_total") if isinstance(config, Mapping) else None
    return _number(first.get("quota_usage")), _number(total)


def publishing_limit(body: Mapping[str, Any] | None) -> Quota | None:
    """The answer as a :class:`Quota` (its window from ``quota_duration``, else a day); None when
    it lacks the usage or the total: a total is never assumed."""
    used, total = usage(body)
    if used is None or total is None:
        return None
    data = body.get("data") if isinstance(body, Mapping) else None
    config = data[0].get("config") if isinstance(data, list) and isinstance(data[0], Mapping) else None
    window = _number(config.get("quota_duration")) if isinstance(config, Mapping) else None
    return Quota(used, total, window if window and window > 0 else DAY)
