"""Configuration: every FLOWTIME_* environment variable is read here, once, typed and documented."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from app.errors import ConfigError

# (environment variable, Config attribute, description) - the README's configuration table mirrors it.
DOCUMENTED_VARIABLES = [
    ("FLOWTIME_DATA_DIR", "data_dir", "Data directory holding artifact folders (default `./data`)."),
    ("FLOWTIME_DATABASE_URL", "database_url",
     "SQLAlchemy URL of the registry database (default `sqlite:///<data dir>/registry.db`)."),
    ("FLOWTIME_STORAGE_URL", "storage_url",
     "Where artifact bytes live, chosen by scheme (default `file://<data dir>`)."),
    ("FLOWTIME_S3_ENDPOINT_URL", "s3_endpoint_url",
     "Endpoint of an S3-compatible store for `s3://bucket/prefix` storage URLs (default: AWS; credentials "
     "come from the standard AWS configuration)."),
    ("FLOWTIME_MAX_BODY_MB", "max_body_mb", "Largest accepted JSON/YAML request body in MB (default 10)."),
    ("FLOWTIME_MAX_UPLOAD_MB", "max_upload_mb", "Largest accepted file upload in MB (default 200)."),
    ("FLOWTIME_MIRROR_DELAY_MS", "mirror_delay_ms",
     "How long after a change the `registry-index.json` snapshot is rewritten (every change is in "
     "`registry-journal.jsonl` before its request is answered; the snapshot folds the journal in). Changes "
     "arriving meanwhile share one snapshot (default 20000: the snapshot is at most about 20 s plus one export "
     "behind)."),
    ("FLOWTIME_MIRROR_MAX_CPU", "mirror_max_cpu",
     "Share of one core, in percent, the snapshot writer may use: after a rewrite costing t CPU seconds the next "
     "starts no sooner than t x (100 / share - 1) later (default 10; start-up's rewrite is not counted)."),
    ("FLOWTIME_MIRROR_PROCESS", "mirror_process",
     "Export the mirror in a short-lived child process, off the worker's GIL (default `1`; `0` = a thread)."),
    ("FLOWTIME_AUTO_DISCOVER", "auto_discover",
     "Pick up folders written by other processes on list calls (default `1`; `0` disables)."),
    ("FLOWTIME_RESCAN_SECONDS", "rescan_seconds",
     "Rescan the data directory every N seconds (default `0`: off; use it with `s3://` storage, which has "
     "no auto-discovery)."),
    ("FLOWTIME_API_TOKENS", "api_tokens",
     "Bearer tokens with a scope each, `token:read,token2:write,token3:admin` (tokens of 16+ characters). "
     "When set, every `/v1` route needs one; writes need write, rescans admin. Unset: open."),
    ("FLOWTIME_ALLOW_OPEN", "allow_open",
     "Without tokens the server binds to loopback only; `1` allows an open server on other addresses."),
    ("FLOWTIME_CORS_ORIGINS", "cors_origins",
     "Comma-separated browser origins allowed to call the API cross-origin, or `*` for any origin (never with "
     "credentials). A loopback-only server (no tokens, no `FLOWTIME_ALLOW_OPEN`) also allows the FlowTime UIs' "
     "development origins (`http://localhost:5219`, `:5173`, `:4173` and their `127.0.0.1` forms)."),
    ("FLOWTIME_LOG_LEVEL", "log_level", "Python logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL (default `INFO`)."),
    ("FLOWTIME_LOG_FORMAT", "log_format",
     "`text` (default) or `json`: one JSON object per line (python-json-logger) for the app's and gunicorn's "
     "logs alike, each with `request_id`."),
    ("FLOWTIME_CURSOR_KEY", "cursor_key",
     "Secret that signs listing cursors (HMAC-SHA256); default: a random key kept in `<data dir>/.cursor-key` "
     "(created 0600 on first use). Set the same value on every host that serves one registry."),
    ("FLOWTIME_CACHE_MB", "cache_mb",
     "Memory each process may spend on cached totals, facets and ranked search windows, in MB (approximate; "
     "default 64)."),
    ("FLOWTIME_SQLITE_MMAP_MB", "sqlite_mmap_mb",
     "SQLite reads through a memory map of up to this many MB per connection (default 0: read with pread). A map "
     "serves pages straight from the OS cache (a small listing about 2 ms faster at 100k, 3% on the 1M workload), "
     "but every mapped page counts in each worker's resident size: 7 GB at 1M artifacts."),
    ("FLOWTIME_COMPARE_MAX_VALUES", "compare_max_values",
     "Most numbers a compare with `include_values` returns (series x bins x 3: base, other, diff); beyond "
     "it the request is a 413 naming the limit (default 2000000)."),
    ("FLOWTIME_CHANGES_KEEP", "changes_keep",
     "How many generations (commits) `GET /v1/changes` keeps; a `since` older than that is a 410 telling the "
     "client to list again (default 100000). A bulk commit touching more than 1,000 artifacts (a rescan, an "
     "import) is not itemised: followers relist after it."),
    ("FLOWTIME_ENVIRONMENT", "environment",
     "Environment name reported by `GET /v1/healthz?detailed=true` as `build.environment` (default `production`)."),
]

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Config:
    """Typed application settings; build with `Config.from_env()` and adjust with `with_overrides()`."""

    data_dir: Path = field(default_factory=lambda: Path("data"))
    database_url: str = ""
    storage_url: str = ""
    s3_endpoint_url: str = ""
    max_body_mb: int = 10
    max_upload_mb: int = 200
    mirror_delay_ms: int = 20_000
    mirror_max_cpu: int = 10
    mirror_process: bool = True
    auto_discover: bool = True
    rescan_seconds: int = 0
    api_tokens: str = field(default="", repr=False)
    allow_open: bool = False
    cors_origins: str = ""
    log_level: str = "INFO"
    log_format: str = "text"
    compare_max_values: int = 2_000_000
    cache_mb: int = 64
    sqlite_mmap_mb: int = 0
    changes_keep: int = 100_000
    cursor_key: str = field(default="", repr=False)
    environment: str = "production"
    testing: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Read every FLOWTIME_* variable from the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        defaults = cls()
        for variable, attribute, _ in DOCUMENTED_VARIABLES:
            if variable in env and env[variable] != "":
                values[attribute] = _coerce(variable, env[variable], getattr(defaults, attribute))
        return defaults._replaced(values)

    def with_overrides(self, overrides: dict[str, object] | None) -> Config:
        """Return a copy with the given attributes replaced (coerced to their types) and URLs resolved."""
        return self._replaced(overrides or {}).resolved()

    def _replaced(self, overrides: dict[str, object]) -> Config:
        known = {f.name: f for f in fields(self)}
        coerced = {}
        for name, value in overrides.items():
            if name not in known:
                raise ConfigError(f"unknown configuration key: {name}")
            coerced[name] = _coerce(name, value, getattr(self, name))
        return replace(self, **coerced)

    def resolved(self) -> Config:
        """Fill URL defaults that derive from the data directory."""
        data_dir = Path(self.data_dir).expanduser().resolve()
        database_url = self.database_url or f"sqlite:///{data_dir / 'registry.db'}"
        storage_url = self.storage_url or f"file://{data_dir}"
        return replace(self, data_dir=data_dir, database_url=database_url, storage_url=storage_url)

    @property
    def loopback_only(self) -> bool:
        """Whether the server only listens on loopback (gunicorn.conf.py enforces it without tokens)."""
        return not self.api_tokens and not self.allow_open

    @property
    def max_body_bytes(self) -> int:
        return self.max_body_mb * MEGABYTE

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * MEGABYTE


_PERCENT = {"mirror_max_cpu"}
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")


def _coerce(name: str, value: object, current: object) -> object:
    """`value` as the type of `current`; a ConfigError naming `name`, what it expects and what it got."""
    if isinstance(current, bool):
        return _boolean(name, value)
    if isinstance(current, int):
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            raise ConfigError(f"{name} expects a whole number >= 0, got {value!r}")
        if name in _PERCENT and not 1 <= number <= 100:
            raise ConfigError(f"{name} expects a percentage from 1 to 100, got {value!r}")
        return number
    if isinstance(current, Path):
        return Path(value)
    for names, choices in ((("log_level", "FLOWTIME_LOG_LEVEL"), LOG_LEVELS),
                           (("log_format", "FLOWTIME_LOG_FORMAT"), LOG_FORMATS)):
        if name in names:
            choice = str(value).strip()
            choice = choice.upper() if choices is LOG_LEVELS else choice.lower()
            if choice not in choices:
                raise ConfigError(f"{name} expects one of {', '.join(choices)}, got {value!r}")
            return choice
    return str(value)


def _boolean(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in TRUE_WORDS + FALSE_WORDS:
        raise ConfigError(f"{name} expects a boolean ({'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)}), "
                          f"got {value!r}")
    return word in TRUE_WORDS
