"""`python -m app.registry.mirror_job [--scheduled]`: bring registry-index.json up to date once, then exit.

`--scheduled`: the background writer's turn (skipped within the CPU share's rest of another rewrite)."""

from __future__ import annotations

import sys

from app.config import Config
from app.registry.context import RegistryContext


def main() -> int:
    """Run one mirror sync in this process (the parent passes FLOWTIME_* in the environment)."""
    ctx = RegistryContext.build(Config.from_env().with_overrides({}))
    try:
        wrote = ctx.mirror.sync_here(scheduled="--scheduled" in sys.argv[1:])
    finally:
        ctx.db.dispose()
    print("wrote" if wrote else "current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
