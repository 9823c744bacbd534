"""The auditor of channel exports, built from the settings: candles from EXCHANGE's public history (the simulated
market's on paper), kept in InfluxDB where INFLUX_URL is set and in the SQL table otherwise; and `tsbot audit`."""

import argparse
import asyncio
from pathlib import Path

from bot.container import Container
from bot.settings import Settings
from handlers.audit_reader import PipelineReader
from handlers.audit_render import equity_png, report_text
from nlp.pipeline import Pipeline
from storage.candles import SqlCandleStore
from trading.domain.accounts import PAPER
from trading.domain.audit_export import MAX_EXPORT_BYTES
from trading.domain.errors import InvalidInput
from trading.market.catalog import CRYPTO
from trading.market.history import SimulatedHistory
from trading.ports.audit import CandleSource, CandleStore
from trading.usecases.audits import Auditor


def candle_store(container: Container) -> CandleStore:
    settings = container.settings
    if settings.influx_url:
        from storage.influx_candles import InfluxCandleStore  # influxdb-client only where it is used

        token = settings.influx_token.get_secret_value() if settings.influx_token else ""
        return InfluxCandleStore(
            settings.influx_url, token, settings.influx_org or "", settings.influx_bucket
        )
    return SqlCandleStore(container.engine)


def candle_source(settings: Settings) -> CandleSource:
    if settings.exchange == PAPER:
        prices = {f"{spec.base}/{settings.paper_quote}": spec.start_price for spec in CRYPTO}
        return SimulatedHistory(prices, seed=settings.market_seed)
    from trading.ccxt.client import CcxtSession, CcxtVenueConfig
    from trading.ccxt.history import CcxtCandleHistory

    return CcxtCandleHistory(
        CcxtSession.open(CcxtVenueConfig(settings.exchange, testnet=settings.exchange_testnet))
    )


def build_auditor(container: Container, pipeline: Pipeline) -> Auditor:
    return Auditor(
        container.core, PipelineReader(pipeline), candle_source(container.settings), candle_store(container)
    )


async def audit_command(container: Container, args: argparse.Namespace) -> None:
    """`tsbot audit FILE --user N [--chart PNG]`: the report printed, kept for the user like one from chat."""
    content = await asyncio.to_thread(_read, Path(args.file))
    markets = await container.market.markets()
    auditor = build_auditor(container, Pipeline(known_markets=list(markets)))

    async def progress(fraction: float, line: str) -> None:
        print(line, flush=True)

    outcome = await auditor.audit(args.user, content, progress)
    quote = container.settings.paper_quote
    print(report_text(outcome.record, quote, outcome.hit_rate))
    print(f"candle requests to {auditor.source.name}: {outcome.requests}")
    if args.chart:
        png = await asyncio.to_thread(equity_png, outcome.record, quote)
        await asyncio.to_thread(Path(args.chart).write_bytes, png)
        print(f"equity chart: {args.chart}")


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise InvalidInput(f"There is no file {path}.")
    if path.stat().st_size > MAX_EXPORT_BYTES:
        raise InvalidInput(f"{path} is larger than an export may be ({MAX_EXPORT_BYTES // 1024 // 1024} MB).")
    return path.read_bytes()
