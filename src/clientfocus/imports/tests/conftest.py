from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    """Each test's job folders live in its own temporary directory; web jobs run inline."""
    settings.VAR_DIR = tmp_path
    settings.IMPORTS_RUN_INLINE = True
