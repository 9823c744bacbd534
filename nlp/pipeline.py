"""The NLP pipeline: text in, ParseResult out. Rules first, the classifier when they are unsure, an LLM last.

    pipeline = Pipeline(known_markets=["BTC/USDT", ...])   # once, at start-up (cheap: nothing loads yet)
    result = pipeline.parse("sell half my eth at 3.9k")    # synchronous: rules, classifier if needed
    result = await pipeline.aparse(text)                   # classifier in a worker thread, then the LLM stage

`result.should_ask_back` tells the bot to confirm instead of acting: confidence below
nlp.result.ASK_BACK_THRESHOLD (0.6), or a contradiction flagged.

With `model_in_background=True` (the bot's), no reply waits for the classifier to load: the first message that
needs it starts the load in a worker thread and is answered from the rules (asked back where they are unsure);
later ones use it once it is in. The process stays small until a message first needs the model.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.assemble import Analysis, analyse, build_result
from nlp.intents import SURE, RuleVerdict, classify
from nlp.metrics import count_reading
from nlp.result import ASK_BACK_THRESHOLD, Alternative, Intent, ParseResult
from nlp.spelling import Speller
from nlp.symbols import SymbolResolver
from nlp.verdict_revisions import in_doubt, with_update

if TYPE_CHECKING:
    from nlp.classifier import EmbeddingClassifier, IntentScores
    from nlp.llm import LlmReader

log = logging.getLogger(__name__)

RULE_WEIGHT = 0.4  # share of the rules' own scores when they and the classifier's are combined
WEAK_WINNER = 0.3  # a classifier pick scoring under this is no reading: unknown (and the bot asks back)
DEFAULT_LLM_MODEL = "gpt-4o-mini"
MAX_CLASSIFIER_CONFIDENCE = 0.85  # a nearest-neighbour match never counts as sure as a rule that matched


class Pipeline:
    def __init__(
        self,
        known_markets: Iterable[str] = (),
        *,
        use_classifier: bool = True,
        model_dir: Path | None = None,
        openai_api_key: str | None = None,
        openai_base_url: str | None = None,
        llm_model: str = DEFAULT_LLM_MODEL,
        llm_timeout: float = 8.0,
        model_in_background: bool = False,
    ) -> None:
        self._resolver = SymbolResolver(known_markets)
        self._model_in_background = model_in_background
        self._loading: asyncio.Task[None] | None = None
        self._speller = Speller()
        self._use_classifier = use_classifier
        self._model_dir = model_dir
        self._classifier: EmbeddingClassifier | None = None
        self._llm: LlmReader | None = None
        self._llm_settings = (openai_api_key, openai_base_url, llm_model, llm_timeout)

    @property
    def classifier_loaded(self) -> bool:
        return self._classifier is not None and self._classifier.loaded

    @property
    def resolver(self) -> SymbolResolver:
        return self._resolver

    def analyse(self, text: str) -> Analysis:
        return analyse(text, self._resolver, self._speller)

    def read_rules(self, text: str) -> tuple[RuleVerdict, Analysis, ParseResult]:
        """The deterministic stage alone: its verdict, the analysis and the result it would give."""
        analysis = self.analyse(text)
        verdict = classify(analysis.tokens, analysis.matches, analysis.signal, analysis.order)
        verdict = with_update(verdict, analysis.update, analysis.signal, analysis.tokens)
        verdict = in_doubt(verdict, analysis.tokens, analysis.language, analysis.update)
        return (
            verdict,
            analysis,
            build_result(verdict.intent, verdict.confidence, analysis, verdict.alternatives),
        )

    def needs_classifier(self, text: str) -> bool:
        return self._use_classifier and self.read_rules(text)[0].confidence < SURE

    def parse(self, text: str) -> ParseResult:
        verdict, analysis, ruled = self.read_rules(text)
        if verdict.confidence >= SURE or not self._use_classifier:
            return ruled
        return self._combine(verdict, analysis, self._get_classifier().scores(text))

    async def aparse(self, text: str) -> ParseResult:
        verdict, analysis, result = self.read_rules(text)
        if verdict.confidence < SURE and self._use_classifier and await self._classifier_ready():
            scores = await asyncio.to_thread(self._get_classifier().scores, text)
            result = self._combine(verdict, analysis, scores)
        if result.confidence < ASK_BACK_THRESHOLD and self._llm_configured:
            result = await self._get_llm().improve(text, result)
        return count_reading(result)

    async def load_classifier(self) -> None:
        """Loads the model in a worker thread; one already loading is waited for (the classifier's lock)."""
        await asyncio.to_thread(self._get_classifier().load)

    async def _classifier_ready(self) -> bool:
        """Whether this message may use the classifier: waited for, or only started in the background."""
        if self.classifier_loaded:
            return True
        if not self._model_in_background:
            await self.load_classifier()
            return True
        if self._loading is None or self._loading.done():
            self._loading = asyncio.create_task(self._load_in_background())
        return False

    async def _load_in_background(self) -> None:
        try:
            await self.load_classifier()
        except Exception:  # the rules go on answering; the next doubtful message tries the load again
            log.exception("the intent classifier could not be loaded")

    def _get_classifier(self) -> EmbeddingClassifier:
        if self._classifier is None:
            from nlp.classifier import EmbeddingClassifier  # torch comes in here, on the first need only

            self._classifier = EmbeddingClassifier(self._model_dir)
        return self._classifier

    @property
    def _llm_configured(self) -> bool:
        key, base_url, _, _ = self._llm_settings
        return bool(key or base_url)

    def _get_llm(self) -> LlmReader:
        if self._llm is None:
            from nlp.llm import LlmReader

            key, base_url, model, timeout = self._llm_settings
            self._llm = LlmReader(
                self._resolver, api_key=key, base_url=base_url, model=model, timeout=timeout
            )
        return self._llm

    def _combine(self, verdict: RuleVerdict, analysis: Analysis, scores: IntentScores) -> ParseResult:
        """Blend the rules' candidates with the classifier's probabilities; the fields come from the rules.

        A rule verdict of "unknown" below SURE means no cue matched: the rules abstain and the classifier
        decides alone. Its probabilities are discounted by how close the nearest example phrase is, so that a
        message unlike every example cannot come out confident, and a weak winner reads as unknown.
        """
        reliability = min(1.0, max(0.2, (scores.similarity - 0.25) / 0.35))
        weighted = {intent: p * reliability for intent, p in scores.probabilities.items()}
        if verdict.intent == "unknown":
            combined = weighted
        else:
            rule_scores: dict[Intent, float] = {verdict.intent: verdict.confidence}
            for alt in verdict.alternatives:
                rule_scores.setdefault(alt.intent, alt.score)
            combined = {
                intent: RULE_WEIGHT * rule_scores.get(intent, 0.0) + (1 - RULE_WEIGHT) * p
                for intent, p in weighted.items()
            }
        ranked = sorted(combined.items(), key=lambda kv: -kv[1])
        intent, score = ranked[0]
        if intent != "unknown" and score < WEAK_WINNER:
            ranked.insert(0, ("unknown", 1 - score))
            intent, score = "unknown", max(0.3, 1 - score) * 0.5
        # The next readings, however faint, are what the bot offers when it asks back.
        alternatives = tuple(Alternative(i, round(s, 3)) for i, s in ranked[:4] if i != intent)[:3]
        confidence = min(score, MAX_CLASSIFIER_CONFIDENCE)
        return build_result(intent, confidence, analysis, alternatives).with_changes(stage="classifier")
