"""The WSGI application gunicorn serves (`app.wsgi:app`); the checkout's top-level wsgi.py re-exports it."""

from app.console import create_app_or_exit

app = create_app_or_exit()
