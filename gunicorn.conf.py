"""`gunicorn -c gunicorn.conf.py` in the checkout: the settings live in the package (app/gunicorn_settings.py)."""

from app.gunicorn_settings import *  # noqa: F403
