"""The REST API: blueprints under /v1, an OpenAPI document generated from the marshmallow schemas."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from app.api.boundary import check_request_text
from app.api.openapi import SECURITY_SCHEMES, RegistryDocPlugin
from app.api.schemas import ErrorSchema
from app.errors import BadRequest, ValidationFailed
from app.registry.context import RegistryContext

MAX_BULK_IDS = 1000


class RegistryParser(FlaskParser):
    """webargs parser: schemas decide about unknown fields; invalid input is a 400, never a 422 or 500."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise BadRequest("the JSON body is nested too deeply", details={"body": ["nested too deeply"]}) from None


class Blueprint(SmorestBlueprint):
    """flask-smorest blueprint whose parser honours each schema's `unknown = RAISE` in every location."""

    ARGUMENTS_PARSER = RegistryParser(unknown=None)

    def errors(self, *statuses: int):
        """Declare the error responses a route may give (all in the one error shape) in one decorator."""

        def decorate(view):
            for status in reversed(statuses):  # as stacked alt_response decorators would apply them
                view = self.alt_response(status, "DEFAULT_ERROR")(view)
            return view

        return decorate


class RegistryApi(Api):
    """flask-smorest Api documenting the registry's own error shape."""

    ERROR_SCHEMA = ErrorSchema


def context() -> RegistryContext:
    """The registry context of the running app."""
    return current_app.extensions["flowtime"]


def parse_id_list() -> list[str]:
    """A JSON body that is a list of artifact ids (or {"ids": [...]}), as the FlowTime UI sends; repeats dropped."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise BadRequest("the JSON body is nested too deeply", details={"body": ["nested too deeply"]}) from None
    if isinstance(body, dict) and set(body) == {"ids"}:
        body = body["ids"]
    if not isinstance(body, list):
        raise ValidationFailed("body must be a JSON list of artifact ids",
                               details={"body": ["expected a JSON list of artifact ids"]})
    if len(body) > MAX_BULK_IDS:
        raise ValidationFailed(f"at most {MAX_BULK_IDS} ids per request", details={"body": [f"at most {MAX_BULK_IDS} ids"]})
    ids = (item if isinstance(item, str) else str(item) for item in body)
    return list(dict.fromkeys(ids))  # a repeated id is one artifact: processed and counted once


REPEATABLE_PARAMETERS = {"series"}  # ANDed filters: each occurrence is one more condition


def reject_repeated_parameters() -> None:
    """A query parameter given twice is ambiguous (except the repeatable ones): a 400 naming it."""
    repeated = sorted(k for k, values in request.args.lists() if len(values) > 1 and k not in REPEATABLE_PARAMETERS)
    if repeated:
        raise BadRequest(f"repeated query parameter: {', '.join(repeated)}",
                         details={k: ["given more than once"] for k in repeated})


def register_api(app: Flask) -> Api:
    """Mount every blueprint and the OpenAPI document at /v1/openapi.json."""
    from app.api import (
        admin,
        artifacts,
        changes,
        compare,
        files,
        health,
        lineage,
        models,
        run_list,
        runs,
        telemetry,
    )

    app.config.update(
        API_TITLE="FlowTime Registry", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/v1", OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"components": {"securitySchemes": SECURITY_SCHEMES}},
    )
    api = RegistryApi(app, spec_kwargs={"extra_plugins": [RegistryDocPlugin()]})
    for module in (admin, artifacts, changes, compare, files, health, lineage, models, runs, run_list, telemetry):
        api.register_blueprint(module.blp)
    app.before_request(reject_repeated_parameters)
    app.before_request(check_request_text)
    return api
