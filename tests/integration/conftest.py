from collections.abc import AsyncIterator

import pytest

from storage.saq_jobs import SaqJobQueue
from tests.jobs.saq import clean_queue


@pytest.fixture
async def queue() -> AsyncIterator[SaqJobQueue]:
    """The job queue on the real Redis, emptied before and after."""
    async with clean_queue() as jobs:
        yield jobs
