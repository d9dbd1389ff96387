"""Package list only (metadata lives in pyproject.toml).

The checkout keeps `migrations/` at the top level; the wheel ships it inside the package as `app.migrations`
so an installed copy finds it. pyproject.toml alone cannot combine package discovery with that mapping.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["app", "app.*"]), "app.migrations", "app.migrations.versions"],
    package_dir={"app.migrations": "migrations", "app.migrations.versions": "migrations/versions"},
)
