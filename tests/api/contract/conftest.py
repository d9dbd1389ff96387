"""A data directory as FlowTime's UIs meet it: engine run folders (one nested file), a model."""

from datetime import datetime

import pytest

from tests.helpers import write_described, write_run

RUN = "run_20250921T161133Z_0bcdbb6f"
LATER = "run_20250921T164000Z_1a2b3c4d"
MODEL = "model_20250921T150000Z_00aa11bb"


@pytest.fixture
def data_dir(data_dir):
    """The registry's data directory, holding two runs (30 min apart, one tagged) and a model."""
    folder = write_run(data_dir, RUN, title="Capacity clamp check", tags=["baseline", "clamp"],
                       created=datetime(2025, 9, 21, 16, 11, 33), extra_bytes=100)
    (folder / "notes.txt").write_text("reviewed\n")
    write_run(data_dir, LATER, created=datetime(2025, 9, 21, 16, 40))
    write_described(data_dir, "model", MODEL, title="Clamp model", created="2025-09-21T15:00:00Z",
                    metadata={"description": "a capacity model"})
    return data_dir


def disk_files(data_dir, artifact_path: str) -> dict[str, int]:
    """Relative name -> size of every file of an artifact folder, as the disk has them."""
    base = data_dir / artifact_path
    return {p.relative_to(base).as_posix(): p.stat().st_size for p in base.rglob("*") if p.is_file()}
