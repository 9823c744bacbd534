"""A source's stop mode over HTTP: read, set, refused when wrong (a trailing entry with why; nothing changed),
another's not found, and turned off."""

from decimal import Decimal

from tests.webapp.conftest import Api
from trading.domain.enums import Side
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind
from trading.usecases.signals import receive_signal, signal_source


async def test_a_sources_stop_mode_is_set_refused_when_wrong_and_turned_off(api: Api) -> None:
    headers = await api.sign_in(6201)
    me = await api.json("GET", "/api/v1/me", headers)
    spec = SignalSpec("ETH", Side.BUY, (Decimal(100),), (Decimal(120),), Decimal(90))
    received = await receive_signal(api.harness.core, me["id"], "-100779", "Trail Calls", "trail", spec)
    source_id = received.signal.source_id
    url = f"/api/v1/signals/sources/{source_id}/stop-mode"

    assert (await api.json("GET", url, headers))["mode"]["kind"] is None
    saved = await api.json("PUT", url, headers, json={"kind": "trailing", "percent": "3"})
    assert (saved["title"], saved["mode"]["kind"], Decimal(saved["mode"]["percent"])) == (
        "Trail Calls",
        "trailing",
        Decimal(3),
    )
    source = await signal_source(api.harness.core, me["id"], source_id)
    assert (source.stop_mode, source.stop_mode_percent) == (StopModeKind.TRAILING, Decimal(3))

    refused = await api.client.put(url, headers=headers, json={"kind": "trailing", "percent": "80"})
    assert refused.status_code == 400 and "at most 50" in refused.json()["detail"]
    not_a_number = await api.client.put(url, headers=headers, json={"kind": "trailing", "percent": "NaN"})
    assert not_a_number.status_code == 400
    entry = await api.client.put(url, headers=headers, json={"kind": "trailing_entry", "percent": "2"})
    assert entry.status_code == 400 and entry.json()["detail"].startswith(
        f"A source's trailing entry is one of its entry rules, not a stop mode: set it with '/source {source_id} "
    )
    unknown = await api.client.put(
        url, headers=headers, json={"kind": "trailing", "percent": "4", "colour": "red"}
    )
    assert unknown.status_code == 400 and "colour" in unknown.text  # a strict body
    assert (await api.json("GET", url, headers))["mode"]["kind"] == "trailing"
    other = await api.sign_in(6202)
    assert (await api.client.get(url, headers=other)).status_code == 404
    assert (await api.client.put(url, headers=other, json={"kind": None})).status_code == 404

    off = await api.json("PUT", url, headers, json={"kind": None})
    assert off["mode"]["kind"] is None
