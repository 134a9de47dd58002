"""Fixtures shared by the test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[1] / "docs" / "example.yaml"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of the example in its own folder, so the stamps file is written beside it there."""
    folder = tmp_path / "src"
    folder.mkdir()
    return Path(shutil.copy(EXAMPLE, folder / "course.yaml"))
