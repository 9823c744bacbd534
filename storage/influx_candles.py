"""trading.ports.CandleStore on InfluxDB 2 through influxdb-client (where INFLUX_URL is set): a point a candle in
the measurement `candles`, tagged by venue, symbol and timeframe, its prices as fields.

InfluxDB keeps fields as floats: a price goes in as its float and comes back through the float's shortest
repr, which gives the same Decimal back for every price of up to 15 significant digits (every venue's)."""

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from influxdb_client.client.influxdb_client_async import InfluxDBClientAsync

from trading.domain.market import Candle

MEASUREMENT = "candles"
FIELDS = ("open", "high", "low", "close", "volume")
BATCH = 5000  # points a write request


class InfluxCandleStore:
    def __init__(self, url: str, token: str, org: str, bucket: str) -> None:
        self._url, self._token, self._org, self._bucket = url, token, org, bucket

    def _client(self) -> InfluxDBClientAsync:
        # One client a call: the async client's session belongs to the loop it was made on (a job's, a request's).
        return InfluxDBClientAsync(url=self._url, token=self._token, org=self._org)

    async def load(
        self, venue: str, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Candle]:
        query = (
            f"from(bucket: {json.dumps(self._bucket)})"
            f" |> range(start: {_flux_time(start)}, stop: {_flux_time(end)})"
            f' |> filter(fn: (r) => r._measurement == "{MEASUREMENT}" and r.venue == {json.dumps(venue)}'
            f" and r.symbol == {json.dumps(symbol)} and r.timeframe == {json.dumps(timeframe)})"
            ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")'
            ' |> sort(columns: ["_time"])'
        )
        async with self._client() as client:
            tables = await client.query_api().query(query)
        candles = [
            Candle(record.values["_time"], *(_decimal(record.values[name]) for name in FIELDS))
            for table in tables
            for record in table.records
        ]
        return sorted(candles, key=lambda c: c.opened_at)

    async def save(self, venue: str, symbol: str, timeframe: str, candles: Sequence[Candle]) -> None:
        """A point replaces the one with the same tags and time: InfluxDB's own rule."""
        points = [
            {
                "measurement": MEASUREMENT,
                "tags": {"venue": venue, "symbol": symbol, "timeframe": timeframe},
                "fields": {name: float(getattr(c, name)) for name in FIELDS},
                "time": c.opened_at,
            }
            for c in candles
        ]
        async with self._client() as client:
            write = client.write_api()
            for start in range(0, len(points), BATCH):
                await write.write(self._bucket, record=points[start : start + BATCH])


def _flux_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))
