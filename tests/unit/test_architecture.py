"""The layout's rules, checked on every test run: import contracts, no hidden imports, module size."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
MAX_LINES = 300
# Imports inside functions that hide nothing: blueprints registered late on purpose, an optional backend.
DEFERRED_ALLOWED = {
    ("app/api/__init__.py", "app.api"),
    ("app/storage/__init__.py", "app.storage.s3"),
}


def _modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "__pycache__" not in p.parts)


def test_import_contracts_hold():
    """setup.cfg [importlinter]: no cycles in app/, registry rooms layered, folders/ never touch the DB."""
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--config", "setup.cfg"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def _deferred_imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("app"):
                    found.append((inner.module, inner.lineno))
                elif isinstance(inner, ast.Import):
                    found.extend((alias.name, inner.lineno) for alias in inner.names if alias.name.startswith("app"))
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_deferred_imports_of_our_own_modules(path):
    relative = str(path.relative_to(ROOT))
    hidden = [(m, line) for m, line in _deferred_imports(path) if (relative, m) not in DEFERRED_ALLOWED]
    assert not hidden, f"imports inside functions in {relative}: {hidden}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (split before {MAX_LINES})"
