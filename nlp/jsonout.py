"""Writing results as the contract's JSON lines, numbers exact: Decimal 0.0000262 is written 0.0000262."""

from __future__ import annotations

import json
from decimal import Decimal

from nlp.result import ParseResult


def number_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _encode(value: object) -> str:
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(_encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def result_line(message_id: object, result: ParseResult) -> str:
    fields: dict[str, object] = {"id": message_id, **result.contract_fields()}
    fields["flags"] = [flag.code for flag in result.flags]
    return "{" + ", ".join(f"{json.dumps(k)}: {_encode(v)}" for k, v in fields.items()) + "}"


def error_line(message_id: object, why: str) -> str:
    return json.dumps({"id": message_id, "error": why}, ensure_ascii=False)
