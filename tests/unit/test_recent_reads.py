"""Recent reads: kept for their time to live, dropped by a write, and never kept from a read older than a write."""

from storage.recent_reads import RecentCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_kept_for_its_time_to_live_and_no_longer() -> None:
    clock = Clock()
    cache: RecentCache[int, str] = RecentCache(ttl_s=1.0, max_entries=10, clock=clock)
    cache.put(1, "a", cache.generation(1))
    clock.now = 1.0
    assert cache.get(1) == "a"
    clock.now = 1.01
    assert cache.get(1) is None


def test_a_write_drops_the_value_at_once() -> None:
    cache: RecentCache[int, str] = RecentCache(ttl_s=60, max_entries=10, clock=Clock())
    cache.put(1, "a", cache.generation(1))
    cache.put(2, "b", cache.generation(2))
    cache.drop([1])
    assert cache.get(1) is None
    assert cache.get(2) == "b"


def test_a_read_that_began_before_a_write_is_not_kept() -> None:
    cache: RecentCache[int, str] = RecentCache(ttl_s=60, max_entries=10, clock=Clock())
    began = cache.generation(1)  # a reader starts...
    cache.drop([1])  # ...a writer commits...
    cache.put(1, "before the write", began)  # ...the reader's older answer arrives
    assert cache.get(1) is None
    cache.put(1, "after the write", cache.generation(1))
    assert cache.get(1) == "after the write"


def test_the_cache_stays_within_its_size() -> None:
    cache: RecentCache[int, int] = RecentCache(ttl_s=60, max_entries=3, clock=Clock())
    for key in range(10):
        cache.put(key, key, cache.generation(key))
    assert sum(cache.get(key) is not None for key in range(10)) <= 3
    assert cache.get(9) == 9


def test_a_write_puts_its_own_result_in_place_but_an_older_read_still_loses() -> None:
    cache: RecentCache[int, str] = RecentCache(ttl_s=60, max_entries=10, clock=Clock())
    cache.put(1, "old", cache.generation(1))
    began = cache.generation(1)  # a reader starts before the write commits
    cache.replace(1, "written")
    assert cache.get(1) == "written"
    cache.put(1, "read before the write", began)
    assert cache.get(1) == "written"
