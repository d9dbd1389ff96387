"""What an artifact folder says (on disk or in S3): the layout scanner and one reader per type.

Reads storage, never the database.
"""
