"""``python -m tui`` runs the app (textual-serve starts it this way)."""

from tui.app import LinkdeckApp

if __name__ == "__main__":
    from providers import logs

    logs.setup()
    LinkdeckApp().run()
