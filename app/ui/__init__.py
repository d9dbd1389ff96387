"""The browser UI: small server-rendered HTML shells whose JavaScript modules call the /v1 JSON API.

Every script and style sheet is a static file (no inline code, no CDN), so the pages run under
`Content-Security-Policy: default-src 'self'`, which the UI responses carry.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template

from app.storage.paths import is_artifact_id
from app.ui.modules import imported_modules

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")

bp = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/ui/static")

CHART_MODULE = "chart.js"  # the one module that draws with window.uPlot
PAGES = {
    "browse": "Browse artifacts",
    "detail": "Artifact",
    "compare": "Compare artifacts",
    "wizard": "New run",
    "upload": "Upload telemetry",
}


def _page(page: str, **data):
    modules = imported_modules(f"{page}.js")
    # uPlot (a classic deferred script every module waits for) only where a page draws charts.
    return render_template("ui/page.html", page=page, title=PAGES[page], data=data, preload=modules,
                           charts=CHART_MODULE in modules)


@bp.route("/", methods=["GET"])
def browse():
    return _page("browse")


@bp.route("/artifacts/<artifact_id>", methods=["GET"])
def detail(artifact_id: str):
    if not is_artifact_id(artifact_id):
        abort(404)
    return _page("detail", artifact_id=artifact_id)


@bp.route("/compare", methods=["GET"])
def compare():
    return _page("compare")


@bp.route("/runs/new", methods=["GET"])
def wizard():
    return _page("wizard")


@bp.route("/telemetry/new", methods=["GET"])
def upload():
    return _page("upload")


@bp.after_request
def security_headers(response):
    """CSP on the HTML pages (static files need none); no sniffing anywhere."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def register_ui(app: Flask) -> None:
    """Mount the UI pages (/, /artifacts/<id>, /compare, /runs/new, /telemetry/new) and /ui/static."""
    if "ui" not in app.blueprints:
        app.register_blueprint(bp)
