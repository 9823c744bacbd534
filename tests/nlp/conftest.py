from __future__ import annotations

import pytest

from nlp.pipeline import Pipeline


@pytest.fixture(scope="session")
def rules() -> Pipeline:
    """The rule stage alone: no model is loaded."""
    return Pipeline(use_classifier=False)


@pytest.fixture(scope="session")
def full() -> Pipeline:
    """Rules plus the embedding classifier (loads MiniLM once for the whole session)."""
    return Pipeline()
