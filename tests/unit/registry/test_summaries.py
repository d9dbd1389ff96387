"""Per-series summaries of a folder's values: finite values only, file order for `last`."""

import math

from app.registry.folders.summaries import measure_of, parse_values, summarise


def test_summary_of_values():
    assert summarise([1.0, 4.0, math.nan, 2.0]) == {"points": 3, "min": 1.0, "max": 4.0, "mean": 7 / 3, "sum": 7.0,
                                                    "last": 2.0}
    assert summarise([math.nan, math.inf]) == {"points": 0}


def test_csv_values_in_file_order():
    crlf = parse_values(b"\xef\xbb\xbft,value\r\n0,1\r\n2,3.5\r\n")
    assert crlf == [1.0, 3.5]
    values = parse_values(b"t,value\n0,1\n1,x\n\n2,3.5\n")
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == 3.5 and len(values) == 3
    assert parse_values(b"t,v\n0,1\n") is None and parse_values(b"") is None


def test_measure_of_a_series_id():
    assert measure_of("served@SERVED@DEFAULT") == "served" and measure_of("queue") == "queue"
