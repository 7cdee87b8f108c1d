"""linkdeck's SQLite store: accounts, their targets, posts, deliveries and the avatar cache.

``Store.open()`` is the entry point. Schema, pragmas and migrations are described in
:mod:`providers.store.db`. No token or secret is ever stored here (see :mod:`providers.vault`).
"""

from __future__ import annotations

from providers.store.apps import RegisteredApp
from providers.store.brands import BrandError
from providers.store.core import Store
from providers.store.db import SCHEMA_VERSION, SchemaTooNew
from providers.store.models import (
    HOLDABLE_STATES,
    Account,
    AccountState,
    Brand,
    CachedAvatar,
    Delivery,
    DeliveryState,
    HoldKind,
    Post,
    Target,
)

__all__ = [
    "HOLDABLE_STATES",
    "SCHEMA_VERSION",
    "Account",
    "AccountState",
    "Brand",
    "BrandError",
    "CachedAvatar",
    "Delivery",
    "DeliveryState",
    "HoldKind",
    "Post",
    "RegisteredApp",
    "SchemaTooNew",
    "Store",
    "Target",
]
