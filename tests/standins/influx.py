"""A local stand-in of the two InfluxDB 2 endpoints the candle store uses, for influxdb-client's real code:
`POST /api/v2/write` (the line protocol parsed: measurement, tags, fields, time, with its escapes) and
`POST /api/v2/query` (the store's one query shape read: bucket, range, the tag filter, pivoted rows answered in
InfluxDB's annotated CSV). Both check the token."""

import re
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.standins.venue import StandInServer

TOKEN = "standin-influx-token"
Key = tuple[str, tuple[tuple[str, str], ...]]  # measurement, sorted tags


def _split(text: str, separator: str) -> list[str]:
    """Split on a separator that no backslash escapes."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def parse_line(line: str) -> tuple[Key, dict[str, float | str], int]:
    """One line of the line protocol: `measurement,tag=v,... field=v,... timestamp`."""
    series, fields_text, timestamp = _split(line, " ")
    measurement, *tags = _split(series, ",")
    fields: dict[str, float | str] = {}
    for pair in _split(fields_text, ","):
        name, value = pair.split("=", 1)
        fields[name] = value.strip('"') if value.startswith('"') else float(value.rstrip("i"))
    tag_pairs = tuple(sorted((name, value) for name, value in (tag.split("=", 1) for tag in tags)))
    return (measurement, tag_pairs), fields, int(timestamp)


class InfluxStandIn(StandInServer):
    def __init__(self) -> None:
        super().__init__()
        self.org = "tsbot"
        # bucket -> series -> time (ns) -> fields
        self.points: defaultdict[str, defaultdict[Key, dict[int, dict[str, float | str]]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self.route("POST", "/api/v2/write", "write", self._write)
        self.route("POST", "/api/v2/query", "query", self._query)

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Token {TOKEN}"

    async def _write(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "unauthorized", "message": "unauthorized access"}, status=401)
        bucket = request.query["bucket"]
        scale = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}[
            request.query.get("precision", "ns")
        ]
        body = (await request.read()).decode()
        for line in filter(None, body.splitlines()):
            key, fields, timestamp = parse_line(line)
            self.points[bucket][key].setdefault(timestamp * scale, {}).update(fields)
        return web.Response(status=204)

    async def _query(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "unauthorized", "message": "unauthorized access"}, status=401)
        flux = (await request.json())["query"]
        bucket = re.search(r'from\(bucket: "([^"]*)"\)', flux)
        window = re.search(r"range\(start: (\S+), stop: (\S+)\)", flux)
        wanted = dict(re.findall(r'r\.(\w+) == "([^"]*)"', flux))
        if bucket is None or window is None:
            return web.json_response(
                {"code": "invalid", "message": "the stand-in reads one query shape"}, status=400
            )
        start, stop = (_nanos(window.group(i)) for i in (1, 2))
        measurement = wanted.pop("_measurement")
        rows = [
            (time, dict(tags), fields)
            for (name, tags), series in self.points[bucket.group(1)].items()
            if name == measurement and all(dict(tags).get(k) == v for k, v in wanted.items())
            for time, fields in sorted(series.items())
            if start <= time < stop
        ]
        return web.Response(
            text=annotated_csv(rows, window.group(1), window.group(2), measurement), content_type="text/csv"
        )


def _nanos(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()) * 1_000_000_000


def _time(nanos: int) -> str:
    return datetime.fromtimestamp(nanos // 1_000_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def annotated_csv(
    rows: list[tuple[int, dict[str, str], dict[str, Any]]], start: str, stop: str, measurement: str
) -> str:
    """Pivoted rows as InfluxDB answers them: one table, the annotations first."""
    if not rows:
        return "\r\n"
    tags = sorted(rows[0][1])
    fields = sorted(rows[0][2])
    header = ["", "result", "table", "_start", "_stop", "_time", "_measurement", *tags, *fields]
    datatypes = [
        "#datatype",
        "string",
        "long",
        *["dateTime:RFC3339"] * 3,
        "string",
        *["string"] * len(tags),
        *["double"] * len(fields),
    ]
    groups = [
        "#group",
        "false",
        "false",
        "true",
        "true",
        "false",
        "true",
        *["true"] * len(tags),
        *["false"] * len(fields),
    ]
    defaults = ["#default", "_result", *[""] * (len(header) - 2)]
    lines = [",".join(datatypes), ",".join(groups), ",".join(defaults), ",".join(header)]
    for time, tag_values, field_values in rows:
        values = [tag_values[t] for t in tags] + [repr(float(field_values[f])) for f in fields]
        lines.append(",".join(["", "", "0", start, stop, _time(time), measurement, *values]))
    return "\r\n".join(lines) + "\r\n\r\n"
