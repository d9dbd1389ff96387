"""What the OpenAPI document adds to every operation: operationId, bearer security with its scope, shared errors."""

from __future__ import annotations

from apispec import BasePlugin

from app.security import WRITE_METHODS, required_scope

SECURITY_SCHEME = "bearerAuth"
SECURITY_SCHEMES = {SECURITY_SCHEME: {
    "type": "http", "scheme": "bearer",
    "description": "A token from FLOWTIME_API_TOKENS (`token:scope`); needed on /v1 only when tokens are set. "
                   "Scopes: read < write < admin; each operation's `x-required-scope` names the least it needs."}}
ERROR_RESPONSE = "DEFAULT_ERROR"
READ_ERRORS = ("503",)
TOKEN_ERRORS = ("401", "403")
BODY_ERRORS = ("403", "413", "415")  # a cross-site write is a 403 too, with or without tokens


def operation_id(endpoint: str, method: str, taken: set[str]) -> str:
    """`<blueprint>_<view>` (plus the method where one view answers several), unique in the document."""
    base = endpoint.replace(".", "_")
    candidate = base if base not in taken else f"{base}_{method}"
    suffix = 2
    while candidate in taken:
        candidate, suffix = f"{base}_{method}_{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


class RegistryDocPlugin(BasePlugin):
    """apispec plugin run on every route flask-smorest documents."""

    def __init__(self):
        super().__init__()
        self.taken: set[str] = set()

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for method, operation in operations.items():
            operation.setdefault("operationId", operation_id(rule.endpoint, method, self.taken))
            responses = operation.setdefault("responses", {})
            scope = required_scope(rule.rule, rule.endpoint, method.upper())
            statuses = list(READ_ERRORS)
            if scope is not None:
                operation["security"] = [{SECURITY_SCHEME: []}, {}]  # `{}`: no token when none are configured
                operation["x-required-scope"] = scope
                statuses += TOKEN_ERRORS
            if method.upper() in WRITE_METHODS:
                statuses += BODY_ERRORS
            for status in sorted(set(statuses)):
                responses.setdefault(status, ERROR_RESPONSE)
