"""`flask --app wsgi ...` in the checkout; installed copies use `app.wsgi` (or the flowtime-registry script)."""

from app.wsgi import app  # noqa: F401
