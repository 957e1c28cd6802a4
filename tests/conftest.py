import os

import pytest

# The moto server fixtures (moto, moto_server, fault_proxy), for every test module that audits a cloud.
pytest_plugins = ["tests.moto_server"]

# Verdicts depend on dates (qualification validity): pin today for every test.
os.environ.setdefault("SOVSCAN_TODAY", "2026-11-27")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Each test session gets its own cache directory, never the user's."""
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
