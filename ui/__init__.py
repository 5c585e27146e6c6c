"""The browser chat UI (Chainlit): `ui/app.py` is the entry point, the rest are its helpers."""
