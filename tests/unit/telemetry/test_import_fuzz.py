"""Property: whatever bytes are uploaded, the import succeeds or raises a 400/413, never anything else."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import BadRequest, PayloadTooLarge
from app.storage.local import LocalStorage
from app.telemetry import import_telemetry

CSVISH = st.text(alphabet=st.sampled_from(list('t,value\n"01.9-:TZ x\r')), max_size=200).map(str.encode)
PARQUETISH = st.binary(max_size=300).map(lambda b: b"PAR1" + b + b"PAR1")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=400), CSVISH, PARQUETISH), cap=st.integers(1, 600))
def test_random_bytes_only_raise_client_errors(tmp_path, data, cap):
    storage = LocalStorage(tmp_path / "data")
    spool = tmp_path / "data" / ".uploads"
    try:
        result = import_telemetry(storage, io.BytesIO(data), spool_dir=spool, max_bytes=cap, filename="x")
    except (BadRequest, PayloadTooLarge):
        assert not list((tmp_path / "data").glob("telemetry/*"))
    else:
        assert storage.read_bytes(f"{result.key}/{result.catalog['data_file']}") == data
    assert list(spool.iterdir()) == []
