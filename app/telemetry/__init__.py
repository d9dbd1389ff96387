"""Telemetry import: CSV or Parquet uploads spooled under a cap, inspected in bounded memory, stored as folders."""

from app.telemetry.importer import TelemetryImport, import_telemetry
from app.telemetry.loader import load_telemetry_series

__all__ = ["TelemetryImport", "import_telemetry", "load_telemetry_series"]
