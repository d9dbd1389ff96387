"""GET /docs: the OpenAPI document rendered by Swagger UI, vendored (no CDN), under the UI's CSP."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from app.ui import CSP

bp = Blueprint("docs", __name__, template_folder="templates", static_folder="static",
               static_url_path="/docs/static")


@bp.route("/docs", methods=["GET"])
def docs():
    """The API reference page."""
    return render_template("docs/index.html")


@bp.after_request
def security_headers(response):
    """The same CSP as the UI pages: every script and style sheet is a file served from here."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def register_docs(app: Flask) -> None:
    """Mount /docs and /docs/static."""
    app.register_blueprint(bp)
