"""Audits over HTTP: an export uploaded is audited and kept; the user's audits listed best first and read one by
one; a file that is no export is a 400 with its sentence, and nothing is kept."""

from tests.audit.exports import compass_channel
from tests.webapp.conftest import Api


def upload(content: bytes, name: str = "result.json") -> dict[str, tuple[str, bytes, str]]:
    return {"data": (name, content, "application/json")}


async def test_an_uploaded_export_is_audited_listed_and_read(audit_api: Api) -> None:
    headers = await audit_api.sign_in(7001)
    made = await audit_api.json("POST", "/api/v1/audits", headers, files=upload(compass_channel()))
    assert (made["title"], made["posts"], made["signals"], made["filled"]) == ("Crypto Compass VIP", 7, 2, 2)
    assert [u["post_id"] for u in made["unread"]] == [104, 107]
    assert made["candle_hit_rate"] == 0.0 and isinstance(made["pnl"], str)
    [listed] = await audit_api.json("GET", "/api/v1/audits", headers)
    assert listed["id"] == made["id"] and listed["pnl"] == made["pnl"]
    read = await audit_api.json("GET", f"/api/v1/audits/{made['id']}", headers)
    assert read["equity"] == made["equity"] and read["candle_hit_rate"] is None
    other = await audit_api.sign_in(7002)
    answer = await audit_api.client.get(f"/api/v1/audits/{made['id']}", headers=other)
    assert answer.status_code == 404


async def test_a_file_that_is_no_export_is_refused_and_nothing_kept(audit_api: Api) -> None:
    headers = await audit_api.sign_in(7003)
    answer = await audit_api.client.post(
        "/api/v1/audits", headers=headers, files=upload(b"%PDF-1.7", "a.pdf")
    )
    assert answer.status_code == 400
    assert "not a Telegram channel export" in answer.text
    assert await audit_api.json("GET", "/api/v1/audits", headers) == []


async def test_the_audit_endpoints_are_in_the_openapi_schema(audit_api: Api) -> None:
    schema = (await audit_api.client.get("/api/v1/openapi.json")).json()
    assert {"post", "get"} <= set(schema["paths"]["/api/v1/audits"])
    assert "multipart/form-data" in schema["paths"]["/api/v1/audits"]["post"]["requestBody"]["content"]
    assert "get" in schema["paths"]["/api/v1/audits/{audit_id}"]
    assert {"AuditOut", "AuditSummaryOut"} <= set(schema["components"]["schemas"])
