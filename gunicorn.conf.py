"""gunicorn settings: migrations and the start-up rebuild run once in the master, before workers fork."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 120
graceful_timeout = 30
accesslog = "-"
# One shared control socket per user would clash between several instances on one host.
control_socket_disable = True
wsgi_app = "wsgi:app"


def on_starting(server):
    from app.startup import prepare

    prepare()
