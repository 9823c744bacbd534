"""NLP pipeline benchmark: accuracy, speed, start-up and memory, each beside a baseline run in the same process.

    .venv/bin/python -m bench.nlp

Baselines: for accuracy, a naive keyword reader (first keyword wins, no entities beyond the first ticker-like
word); for speed, a plain tokenising pass (a whitespace-and-punctuation regex) over the same messages; for
start-up and memory, a bare `python -c pass`. Each line prints the figure, the baseline and their ratio, and
the issue's target where it sets one.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlp.assemble import analyse
from nlp.jsonout import result_line
from nlp.pipeline import Pipeline
from nlp.spelling import Speller
from nlp.symbols import SymbolResolver
from tests.nlp.scoring import DATA, SHARED_CORPUS, load, score

_PLAIN = re.compile(r"\w+|[^\w\s]")
_KEYWORDS = [
    ("cancel", "cancel_order"), ("close", "close_position"), ("alert", "set_alert"), ("stop", "set_stop_loss"),
    ("buy", "place_order"), ("sell", "place_order"), ("price", "price"), ("portfolio", "portfolio"),
    ("balance", "portfolio"), ("orders", "orders"), ("profit", "pnl"), ("help", "help"),
]  # fmt: skip


def keyword_baseline(text: str) -> dict[str, Any]:
    low = text.lower()
    intent = next((i for word, i in _KEYWORDS if word in low), "unknown")
    if "tp" in low and ("sl" in low or "stop" in low):
        intent = "signal"
    ticker = next((w for w in re.findall(r"[A-Za-z]{2,6}", text) if w.isupper()), None)
    return {"intent": intent, "symbol": ticker}


def plain_tokens(text: str) -> int:
    return len(_PLAIN.findall(text))


def median_ms(fn: Callable[[str], object], texts: list[str], rounds: int = 5) -> float:
    samples = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            fn(text)
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def run_child(argv: list[str], stdin: str = "") -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process.

    close_fds=False lets CPython start the child with posix_spawn (vfork): a fork would copy this process's
    pages into the child's peak, the model included.
    """
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False
    )
    assert child.stdin is not None
    child.stdin.write(stdin.encode())
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def row(name: str, value: float, baseline: float, unit: str, target: str = "") -> None:
    ratio = value / baseline if baseline else float("inf")
    print(
        f"{name:<44} {value:>10.3f} {unit:<4} baseline {baseline:>10.3f} {unit:<4} ratio {ratio:>8.2f}  {target}"
    )


def main() -> None:
    startup_and_memory()
    rules, full = Pipeline(use_classifier=False), Pipeline()
    sets = {"examples": load(SHARED_CORPUS)} if SHARED_CORPUS.exists() else {}
    sets |= {name: load(DATA / f"{name}.jsonl") for name in ("messages", "paraphrases", "holdout")}

    def as_json(pipeline: Pipeline) -> Callable[[str], dict[str, Any]]:
        return lambda text: json.loads(result_line(None, pipeline.parse(text)))

    print("\n== accuracy (contract scoring); baseline: naive keyword reader")
    for name, cases in sets.items():
        base = score(cases, keyword_baseline)
        for label, pipeline in (("rules", rules), ("rules+classifier", full)):
            got = score(cases, as_json(pipeline))
            row(
                f"{name} n={got.n} intent, {label}",
                got.intent,
                base.intent,
                "",
                "target 0.99" * (name == "examples"),
            )
            row(
                f"{name} n={got.n} exact, {label}",
                got.exact,
                base.exact,
                "",
                "target 0.97" * (name == "examples"),
            )

    texts = [c["text"] for cases in sets.values() for c in cases]
    needing = [t for t in texts if full.needs_classifier(t)]
    print(f"\n== speed per message; baseline: plain tokenising pass ({len(texts)} messages)")
    tokenising = median_ms(plain_tokens, texts)
    row("rule stage, median", median_ms(rules.parse, texts), tokenising, "ms", "target <= 0.3 ms")
    full.parse(needing[0])  # load the model before timing
    row(
        f"with classifier, median of {len(needing)} needing it",
        median_ms(full.parse, needing),
        median_ms(plain_tokens, needing),
        "ms",
        "target <= 15 ms",
    )
    hostile = {
        "100 KB signal-like": (texts[0] + "\n") * (100_000 // (len(texts[0]) + 1)),
        "100 KB digits": "7" * 100_000,
    }
    for name, text in hostile.items():
        row(
            name,
            median_ms(rules.parse, [text], 3),
            median_ms(plain_tokens, [text], 3),
            "ms",
            "target < 50 ms",
        )
    # The pipeline reads Telegram's 4,096 characters at most; this is the same reading on the whole 100 KB.
    whole = hostile["100 KB signal-like"]
    resolver, speller = SymbolResolver(), Speller()
    uncapped = median_ms(lambda t: analyse(t, resolver, speller, limit=len(t)), [whole], 3)
    row("100 KB signal-like, uncapped analysis", uncapped, median_ms(plain_tokens, [whole], 3), "ms")


def startup_and_memory() -> None:
    """First, while this process is small: start-up and peak memory of `tsbot parse` in child processes."""
    print("== start-up to first result and peak memory; baseline: python -c pass")
    tsbot = Path(sys.executable).with_name("tsbot")
    cli = [str(tsbot)] if tsbot.exists() else [sys.executable, "-m", "bot.cli"]
    base_s, base_mb = run_child([sys.executable, "-c", "pass"])
    rule_s, rule_mb = run_child([*cli, "parse", "sell half my eth at 3.9k"])
    clf_s, clf_mb = run_child([*cli, "parse", "what am I sitting on right now"])
    row("tsbot parse, rules only: start to result", rule_s, base_s, "s", "target <= 1.5 s")
    row("tsbot parse, rules only: peak memory", rule_mb, base_mb, "MB", "target <= 150 MB")
    row("tsbot parse, classifier needed: start to result", clf_s, base_s, "s")
    row("tsbot parse, classifier needed: peak memory", clf_mb, base_mb, "MB", "target <= 700 MB")
    if SHARED_CORPUS.exists():
        feed = "".join(json.dumps({"id": c["id"], "text": c["text"]}) + "\n" for c in load(SHARED_CORPUS))
        jsonl_s, jsonl_mb = run_child([*cli, "parse", "--jsonl"], feed)
        row("tsbot parse --jsonl < examples: wall", jsonl_s, base_s, "s")
        row("tsbot parse --jsonl < examples: peak memory", jsonl_mb, base_mb, "MB", "target <= 700 MB")


if __name__ == "__main__":
    main()
