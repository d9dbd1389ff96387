"""The REST API: blueprints under /v1, an OpenAPI document generated from the marshmallow schemas."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from app.errors import BadRequest, ValidationFailed
from app.registry.context import RegistryContext

MAX_BULK_IDS = 1000


class Blueprint(SmorestBlueprint):
    """flask-smorest blueprint whose parser honours each schema's `unknown = RAISE` in every location."""

    ARGUMENTS_PARSER = FlaskParser(unknown=None)


def context() -> RegistryContext:
    """The registry context of the running app."""
    return current_app.extensions["flowtime"]


def parse_id_list() -> list[str]:
    """A JSON body that is a list of artifact ids (or {"ids": [...]}), as the FlowTime UI sends."""
    body = request.get_json(silent=True)
    if isinstance(body, dict) and set(body) == {"ids"}:
        body = body["ids"]
    if not isinstance(body, list):
        raise ValidationFailed("body must be a JSON list of artifact ids", details={"body": "expected a list"})
    if len(body) > MAX_BULK_IDS:
        raise ValidationFailed(f"at most {MAX_BULK_IDS} ids per request", details={"body": "too many ids"})
    return [item if isinstance(item, str) else str(item) for item in body]


def reject_repeated_parameters() -> None:
    """A query parameter given twice is ambiguous: a 400 naming it."""
    repeated = sorted(k for k, values in request.args.lists() if len(values) > 1)
    if repeated:
        raise BadRequest(f"repeated query parameter: {', '.join(repeated)}",
                         details={k: "given more than once" for k in repeated})


def register_api(app: Flask) -> Api:
    """Mount every blueprint and the OpenAPI document at /v1/openapi.json."""
    from app.api import admin, artifacts, files, health, lineage, models, runs, telemetry

    app.config.update(
        API_TITLE="FlowTime Registry", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/v1", OPENAPI_JSON_PATH="openapi.json",
    )
    api = Api(app)
    for module in (admin, artifacts, files, health, lineage, models, runs, telemetry):
        api.register_blueprint(module.blp)
    app.before_request(reject_repeated_parameters)
    return api
