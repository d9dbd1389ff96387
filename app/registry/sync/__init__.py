"""Keeping rows and folders in step: apply scanned records, rescan, rebuild, discovery, index import."""
