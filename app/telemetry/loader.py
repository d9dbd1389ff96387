"""Load the series of a stored telemetry artifact as float64 arrays ordered by time (for compare)."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from app.errors import ArtifactUnreadable, BadRequest, NotFound
from app.storage.base import Storage
from app.storage.paths import join_key
from app.strictjson import loads as strict_loads
from app.telemetry.catalog import DATA_FILES, open_source
from app.telemetry.shape import Chunk, Layout


def read_catalog(storage: Storage, record) -> dict:
    """A telemetry artifact's catalog.json (409 when it is missing or not strict JSON)."""
    try:
        catalog = strict_loads(storage.read_bytes(join_key(record.path, "catalog.json")))
    except (ValueError, OSError, NotFound) as exc:
        raise ArtifactUnreadable(f"telemetry {record.id} has no readable catalog.json") from exc
    if not isinstance(catalog, dict):
        raise ArtifactUnreadable(f"telemetry {record.id} has no readable catalog.json")
    return catalog


def load_telemetry_series(storage: Storage, key: str, catalog: dict) -> dict[tuple[str, str], np.ndarray]:
    """{(measure, component_id): values ordered by time} for every series of the artifact at `key`."""
    fmt = catalog.get("format")
    if fmt not in DATA_FILES or catalog.get("data_file") != DATA_FILES[fmt]:
        raise ArtifactUnreadable("telemetry catalog names no known data file")
    data_key = f"{key}/{DATA_FILES[fmt]}"
    try:
        with open_source(lambda: storage.open(data_key), fmt) as source:
            collector = _Collector(source.layout)
            for chunk in source.chunks():
                collector.add(chunk)
    except BadRequest as exc:
        raise ArtifactUnreadable(f"telemetry data unreadable: {exc.message}") from exc
    return collector.result()


class _Collector:
    """Gathers (times, values) pieces per series, then sorts each series by time once."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.pieces: dict[tuple[str, str], list[tuple[np.ndarray, np.ndarray]]] = {}

    def add(self, chunk: Chunk) -> None:
        if self.layout.shape != "long":
            for column, values in chunk.values.items():
                self._append(self.layout.series_key(column), chunk.time, values)
            return
        values = chunk.values[self.layout.value_columns[0]]
        measures, components = pc.dictionary_encode(chunk.measure), pc.dictionary_encode(chunk.component)
        width = len(components.dictionary)
        codes = measures.indices.to_numpy().astype(np.int64) * width + components.indices.to_numpy()
        distinct, groups = np.unique(codes, return_inverse=True)
        order = np.argsort(groups, kind="stable")
        bounds = np.searchsorted(groups[order], np.arange(len(distinct) + 1))
        names_m, names_c = measures.dictionary.to_pylist(), components.dictionary.to_pylist()
        for index, code in enumerate(distinct.tolist()):
            rows = order[bounds[index]:bounds[index + 1]]
            self._append((names_m[code // width], names_c[code % width]), chunk.time[rows], values[rows])

    def _append(self, key: tuple[str, str], times: np.ndarray, values: np.ndarray) -> None:
        self.pieces.setdefault(key, []).append((times, values))

    def result(self) -> dict[tuple[str, str], np.ndarray]:
        out = {}
        for key, pieces in self.pieces.items():
            times = np.concatenate([piece[0] for piece in pieces])
            values = np.concatenate([piece[1] for piece in pieces]).astype(np.float64, copy=False)
            out[key] = values[np.argsort(times, kind="stable")]
        return out

