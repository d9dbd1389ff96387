"""Request ids (header, error body, log lines) and the one log format, text or JSON."""

from __future__ import annotations

import json
import logging

import pytest

from app.logs import REQUEST_ID_HEADER, RequestIdFilter, StderrHandler, gunicorn_logconfig, make_formatter


def test_every_response_has_an_id_and_errors_carry_it(client):
    ok = client.get("/v1/artifacts")
    assert len(ok.headers[REQUEST_ID_HEADER]) == 32
    missing = client.get("/v1/artifacts/run_20990101T000000Z_00000000")
    assert missing.status_code == 404
    assert missing.json["request_id"] == missing.headers[REQUEST_ID_HEADER] != ok.headers[REQUEST_ID_HEADER]


@pytest.mark.parametrize(("sent", "kept"), [("abc-123.def_4:5", True), ("x" * 129, False), ("a b", False),
                                            ("<script>", False), ("", False)])
def test_a_sane_client_id_is_kept_anything_else_replaced(client, sent, kept):
    response = client.get("/v1/nothing-here", headers={REQUEST_ID_HEADER: sent})
    assert response.status_code == 404
    assert (response.headers[REQUEST_ID_HEADER] == sent) is kept
    assert response.json["request_id"] == response.headers[REQUEST_ID_HEADER]


def test_log_lines_of_a_request_carry_its_id(app, capsys):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    handler = StderrHandler()
    logging.getLogger("app.errors").addHandler(handler)
    try:
        response = app.test_client().get("/boom", headers={REQUEST_ID_HEADER: "trace-42"})
    finally:
        logging.getLogger("app.errors").removeHandler(handler)
    assert response.status_code == 500 and response.json["request_id"] == "trace-42"
    assert "ERROR app.errors [trace-42] unhandled error" in capsys.readouterr().err


def _record(message: str, args=None) -> logging.LogRecord:
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, message, args, None)
    RequestIdFilter().filter(record)
    return record


def test_access_lines_take_the_id_from_the_response_header():
    atoms = {"h": "127.0.0.1", "{x-request-id}o": "id-7"}
    record = _record("%(h)s done", atoms)
    assert record.request_id == "id-7"
    assert make_formatter().format(record).endswith("INFO gunicorn.access [id-7] 127.0.0.1 done")


def test_json_format_is_one_object_per_line():
    record = _record("%(h)s done", {"h": "::1", "{x-request-id}o": "id-8"})
    doc = json.loads(make_formatter(json_logs=True).format(record))
    assert doc["message"] == "::1 done" and doc["request_id"] == "id-8"
    assert doc["level"] == "INFO" and doc["logger"] == "gunicorn.access" and "asctime" in doc


def test_gunicorn_logs_go_through_the_same_handler():
    config = gunicorn_logconfig("WARNING", json_logs=True)
    assert config["handlers"]["flowtime"]["()"] is StderrHandler
    assert config["root"]["level"] == "WARNING"
    assert {config["loggers"][name]["handlers"][0] for name in ("gunicorn.error", "gunicorn.access")} == {"flowtime"}
