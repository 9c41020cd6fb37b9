"""The onion: small ASGI filters, each wrapping the app and returning an app (see `onion.py`)."""
