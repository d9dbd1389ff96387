"""Append-only logs on S3, which has no append: each append is one new segment object.

The log at `key` is the objects under `<key>.d/`, named by the append's wall-clock nanoseconds plus a
random suffix, read back in name order (the journal's reader orders entries by generation, so clock
skew between writers cannot reorder them). A segment becomes visible whole or not at all (one PUT).
Rewriting writes the kept content as one new segment, then deletes the segments it read; segments
appended meanwhile are not among them and stay.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from app.storage.s3_support import translated


class S3Log:
    """The append-only-log half of S3Storage (it provides client, bucket, key mapping and deletes)."""

    def _segments(self, key: str) -> list[str]:
        prefix = self._object(f"{key}.d") + "/"
        return sorted(item["Key"] for page in self._pages(prefix) for item in page.get("Contents", ()))

    def _new_segment(self, key: str) -> str:
        return self._object(f"{key}.d/{time.time_ns():020d}-{uuid.uuid4().hex[:8]}")

    def append_log(self, key: str, data: bytes) -> None:
        with translated("journal"):
            self.client.put_object(Bucket=self.bucket, Key=self._new_segment(key), Body=data)

    def read_log(self, key: str) -> bytes:
        parts = []
        for object_key in self._segments(key):
            with translated("journal"):
                parts.append(self.client.get_object(Bucket=self.bucket, Key=object_key)["Body"].read())
        return b"".join(parts)

    def rewrite_log(self, key: str, keep: Callable[[bytes], bytes]) -> None:
        segments = self._segments(key)
        parts = []
        for object_key in segments:
            with translated("journal"):
                parts.append(self.client.get_object(Bucket=self.bucket, Key=object_key)["Body"].read())
        kept = keep(b"".join(parts))
        if kept:
            with translated("journal"):
                self.client.put_object(Bucket=self.bucket, Key=self._new_segment(key), Body=kept)
        self._delete_objects(segments)
