"""linkdeck's store: accounts, their targets, posts, deliveries and the avatar cache, in SQLite (one
user's file) or PostgreSQL (a team's database; :mod:`providers.store.engine`).

``Store.open()`` is the entry point. Schema, pragmas and migrations are described in
:mod:`providers.store.db`. No token or secret is ever stored here in plain text: a single user's
are in the OS keyring, a team's are sealed (:mod:`providers.vault`, :mod:`providers.secrets`).
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
from providers.store.secrets import SealedSecret

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
    "SealedSecret",
    "Store",
    "Target",
]
