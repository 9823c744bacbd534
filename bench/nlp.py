"""NLP pipeline benchmark: accuracy, speed, start-up and memory, each beside a baseline run in the same process.

    .venv/bin/python -m bench.nlp

Accuracy is given per corpus (the shared examples, the project's messages, holdout and paraphrases, and the
real-world posts of tests/nlp/data/real: whole, tuning sources, the held-out source, and each source), then
the calibration: every wrong reading confident enough to be followed without asking (expected: none; the
held-out source's are counted, never listed).

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
from nlp.result import AUTO_FOLLOW_THRESHOLD
from nlp.spelling import Speller
from nlp.symbols import SymbolResolver
from tests.nlp.scoring import HELD_OUT, SHARED_CORPUS, confident_mistakes, corpora, load, score

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
    sets = corpora()
    own = {name: cases for name, cases in sets.items() if not name.startswith("real/")}
    accuracy(own, rules, full)
    real_accuracy({name[5:]: cases for name, cases in sets.items() if name.startswith("real/")}, full)
    calibration(sets, rules)
    speed([c["text"] for cases in own.values() for c in cases], rules, full)


def _as_json(pipeline: Pipeline) -> Callable[[str], dict[str, Any]]:
    return lambda text: json.loads(result_line(None, pipeline.parse(text)))


def accuracy(sets: dict[str, list[dict[str, Any]]], rules: Pipeline, full: Pipeline) -> None:
    print("\n== accuracy (contract scoring); baseline: naive keyword reader")
    for name, cases in sets.items():
        base = score(cases, keyword_baseline)
        for label, pipeline in (("rules", rules), ("rules+classifier", full)):
            got = score(cases, _as_json(pipeline))
            target = name == "examples"
            row(f"{name} n={got.n} intent, {label}", got.intent, base.intent, "", "target 1.00" * target)
            row(f"{name} n={got.n} exact, {label}", got.exact, base.exact, "", "target 1.00" * target)


def real_accuracy(sources: dict[str, list[dict[str, Any]]], full: Pipeline) -> None:
    """The real-world posts as the contract scores them (rules and classifier): whole, tuning, held out, each."""
    print(f"\n== real-world posts, rules+classifier; held out of all tuning: {HELD_OUT}")
    parse = _as_json(full)
    tuning = [c for name, cases in sources.items() if name != HELD_OUT for c in cases]
    groups = {"real (whole)": [c for cases in sources.values() for c in cases], "real tuning": tuning}
    groups |= {f"real held out ({HELD_OUT})": sources.get(HELD_OUT, [])}
    for name, cases in groups.items():
        base, got = score(cases, keyword_baseline), score(cases, parse)
        row(f"{name} n={got.n} intent", got.intent, base.intent, "", "target 0.97")
        row(f"{name} n={got.n} exact", got.exact, base.exact, "", "target 0.90")
    for name, cases in sources.items():
        got = score(cases, parse)
        mark = "  (held out)" if name == HELD_OUT else ""
        print(f"  {name:<24} n={got.n:<4} intent {got.intent:.3f}  exact {got.exact:.3f}{mark}")


def calibration(sets: dict[str, list[dict[str, Any]]], rules: Pipeline) -> None:
    """Wrong readings at or above the auto-follow threshold with no flag. The classifier never reaches the
    threshold, so the rule stage's readings are the ones that could be acted on at once."""
    print(f"\n== confident mistakes: wrong, confidence >= {AUTO_FOLLOW_THRESHOLD}, no flag (expected: none)")

    def read(text: str) -> tuple[dict[str, Any], float, bool]:
        result = rules.parse(text)
        return json.loads(result_line(None, result)), result.confidence, bool(result.flags)

    total = 0
    for name, cases in sets.items():
        wrong = confident_mistakes(cases, read, AUTO_FOLLOW_THRESHOLD)
        total += len(wrong)
        if wrong:
            shown = "(held out: not listed)" if name == f"real/{HELD_OUT}" else ", ".join(wrong)
            print(f"  {name}: {len(wrong)} {shown}")
    print(f"  total: {total}")


def speed(texts: list[str], rules: Pipeline, full: Pipeline) -> None:
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
