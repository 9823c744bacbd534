"""A draft's preview as it is kept, in JSON: its money as decimal strings, a futures order's terms beside."""

from dataclasses import fields
from decimal import Decimal
from typing import Any

from trading.domain.futures import MarginMode, PositionSide
from trading.domain.futures_orders import FuturesTerms
from trading.domain.orders import Preview

_MONEY = [f.name for f in fields(Preview) if f.name != "futures"]
_TERMS_MONEY = ("leverage", "margin", "liquidation_price", "funding_rate", "leverage_asked")


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def preview_json(preview: Preview) -> dict[str, object]:
    data: dict[str, object] = {name: _text(getattr(preview, name)) for name in _MONEY}
    terms = preview.futures
    if terms is not None:
        data["futures"] = {name: _text(getattr(terms, name)) for name in _TERMS_MONEY} | {
            "position_side": terms.position_side.value,
            "margin_mode": terms.margin_mode.value,
            "reduce_only": terms.reduce_only,
            "closes": terms.closes,
        }
    return data


def preview_from_json(data: dict[str, Any]) -> Preview:
    terms = data.get("futures")
    futures = None
    if terms is not None:
        futures = FuturesTerms(
            position_side=PositionSide(terms["position_side"]),
            margin_mode=MarginMode(terms["margin_mode"]),
            reduce_only=terms["reduce_only"],
            closes=terms.get("closes", False),
            **{name: _number(terms[name]) for name in _TERMS_MONEY},  # type: ignore[arg-type]
        )
    return Preview(**{name: _number(data.get(name)) for name in _MONEY}, futures=futures)  # type: ignore[arg-type]
