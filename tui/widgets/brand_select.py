"""The brand chooser of the Accounts and Upload screens: "All brands" or one brand.

Hidden while there is only the default brand, so a single user never sees it; it appears (and
Tab reaches it) once a second brand exists. Filling it again keeps the brand chosen while that
brand still exists, and does so without a ``Changed`` message: only a person's choice is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Select

if TYPE_CHECKING:
    from providers.store import Brand

ALL = 0  # the value of "All brands" (brand ids start at 1)


class BrandSelect(Select[int]):
    DEFAULT_CSS = """
    BrandSelect {
        width: 100%;
        max-width: 40;
        margin: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__([("All brands", ALL)], allow_blank=False, value=ALL, id=id, compact=True)
        self.display = False
        self._names: dict[int, str] = {}

    def show_brands(self, brands: list[Brand]) -> None:
        """Offer ``brands`` (shown only when there are two or more)."""
        self._names = {brand.id: brand.name for brand in brands}
        kept = self.value if self.value in self._names else ALL
        with self.prevent(Select.Changed):
            self.set_options([("All brands", ALL), *((brand.name, brand.id) for brand in brands)])
            self.value = kept
        self.display = len(brands) > 1

    @property
    def brand_id(self) -> int | None:
        """The chosen brand's id; None for all brands (or while it is hidden)."""
        value = self.value
        return value if self.display and isinstance(value, int) and value != ALL else None

    @property
    def brand_name(self) -> str | None:
        """The chosen brand's name (what linking from here puts a new account in); None for all."""
        chosen = self.brand_id
        return None if chosen is None else self._names.get(chosen)
