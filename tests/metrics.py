"""The process's metrics as a test reads them: a sample's value in prometheus-client's registry (0 where the
series is not there yet). Counters are shared by every test of the process: tests compare before and after."""

from prometheus_client import REGISTRY


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0
