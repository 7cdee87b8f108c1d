"""linkdeck's terminal UI (Textual). The engine it drives lives in ``providers``."""
