"""Former single-file registry benchmark; the suite now lives in run_suite.py (this forwards to it)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_suite import main

if __name__ == "__main__":
    sys.exit(main())
