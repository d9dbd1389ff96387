"""The schema and every SQL statement: tables, the repository, listings, pages, caches, search."""
