"""Every message the app's widgets and screens exchange, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class CardSelected(Message):
    """A network card was chosen (Enter or click)."""

    network_id: str
