"""Scoring as contract/parse.md describes it (the same judge as shared/bin/score-parse), for the tests and bench."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
# ../shared/corpus beside the repository (for a git worktree, beside the directory that holds it).
SHARED_CORPUS = next(
    (
        path
        for parent in Path(__file__).resolve().parents[2:5]
        if (path := parent / "shared" / "corpus" / "examples.jsonl").exists()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "corpus" / "examples.jsonl",
)
SIGNAL_FIELDS = ["symbol", "side", "entries", "targets", "stop_loss", "leverage"]


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _num_eq(a: Any, b: Any, rel: float = 1e-6) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def _field_eq(name: str, want: Any, got: Any) -> bool:
    if isinstance(want, list):
        got = got or []
        if not isinstance(got, list) or len(got) != len(want):
            return False
        if name == "entries":
            want, got = sorted(want), sorted(float(x) for x in got)
        return all(_num_eq(w, g) for w, g in zip(want, got, strict=True))
    if isinstance(want, int | float) and not isinstance(want, bool):
        return _num_eq(want, got, 1e-4 if name == "amount" else 1e-6)
    if want is None:
        return got in (None, [], "")
    return isinstance(got, str) and got.upper() == str(want).upper()


def _as_close(r: dict[str, Any]) -> dict[str, Any]:
    if (
        r.get("intent") == "place_order"
        and r.get("side") == "sell"
        and r.get("amount_unit") == "percent"
        and _num_eq(r.get("amount"), 100)
        and r.get("order_type") in (None, "market")
    ):
        return {"intent": "close_position", "symbol": r.get("symbol")}
    return r


def judge(gold: dict[str, Any], got: dict[str, Any]) -> tuple[bool, bool, list[str]]:
    if gold["intent"] in ("close_position", "place_order"):
        gold, got = _as_close(gold), _as_close(got)
    names = (
        list(SIGNAL_FIELDS) + (["quote"] if gold.get("quote") else []) if gold["intent"] == "signal" else []
    )
    if gold["intent"] != "signal":
        names = [k for k in gold if k != "intent"]
    intent_ok = got.get("intent") == gold["intent"]
    wrong = [f for f in names if not _field_eq(f, gold.get(f), got.get(f))]
    return intent_ok, intent_ok and not wrong, wrong


@dataclass(frozen=True)
class Score:
    intent: float
    exact: float
    n: int
    misses: tuple[str, ...]


def score(cases: Iterable[dict[str, Any]], parse: Callable[[str], dict[str, Any]]) -> Score:
    n = n_intent = n_exact = 0
    misses: list[str] = []
    for case in cases:
        n += 1
        intent_ok, exact_ok, wrong = judge(case["gold"], parse(case["text"]))
        n_intent += intent_ok
        n_exact += exact_ok
        if not exact_ok:
            misses.append(f"{case['id']}: {'intent' if not intent_ok else wrong}")
    return Score(n_intent / max(n, 1), n_exact / max(n, 1), n, tuple(misses))


REAL = DATA / "real"
# The real-world source kept out of all tuning (tests/nlp/data/real/SOURCES.md): scored, never read for misses.
HELD_OUT = "teletrader"


def real_sources() -> dict[str, list[dict[str, Any]]]:
    """Each real-world source's labelled messages, by source name (the file's stem)."""
    return {path.stem: load(path) for path in sorted(REAL.glob("*.jsonl"))}


def corpora() -> dict[str, list[dict[str, Any]]]:
    """Every labelled corpus: the shared examples (where present), the project's three, and the real sources
    each on its own as `real/<source>`."""
    sets = {"examples": load(SHARED_CORPUS)} if SHARED_CORPUS.exists() else {}
    sets |= {name: load(DATA / f"{name}.jsonl") for name in ("messages", "holdout", "paraphrases")}
    return sets | {f"real/{name}": cases for name, cases in real_sources().items()}


def confident_mistakes(
    cases: Iterable[dict[str, Any]],
    read: Callable[[str], tuple[dict[str, Any], float, bool]],
    threshold: float,
) -> list[str]:
    """Ids of the wrong readings that would be acted on without asking: confidence at or above `threshold`
    and no flag. `read` gives a message's contract fields, confidence and whether a flag was raised."""
    wrong = []
    for case in cases:
        fields, confidence, flagged = read(case["text"])
        if confidence >= threshold and not flagged and not judge(case["gold"], fields)[1]:
            wrong.append(str(case["id"]))
    return wrong
