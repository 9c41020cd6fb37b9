"""The onion's filters seen from outside: status codes, bodies and headers."""

import json
import logging

import httpx


async def test_expired_budget_is_refused_before_any_work(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        response = await client.get("/sleep/1", headers={"x-smartbank-budget-ms": "0"})
    assert response.status_code == 504
    assert response.json()["code"] == "timeout.deadline_exceeded"
    assert len(response.headers["x-trace-id"]) == 32
    assert len(response.headers["x-request-id"]) == 32


async def test_budget_header_becomes_the_deadline(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        seen = (await client.get("/context", headers={"x-smartbank-budget-ms": "300"})).json()
    assert 0.2 < seen["remaining"] <= 0.3


async def test_every_response_has_trace_and_request_ids(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        ok = await client.get("/context", headers={"x-request-id": "abc"})
        failed = await client.get("/fail/not_found.card")
    assert len(ok.headers["x-trace-id"]) == 32 and ok.headers["x-request-id"] == "abc"
    assert len(failed.headers["x-trace-id"]) == 32


async def test_trace_is_continued_from_traceparent(probe_url):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    headers = {"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
    async with httpx.AsyncClient(base_url=probe_url) as client:
        response = await client.get("/context", headers=headers)
    assert response.headers["x-trace-id"] == trace_id


async def test_validation_error_is_a_typed_400(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        response = await client.post("/echo", json={"amount": "lots"})
        broken = await client.post(
            "/echo", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert response.status_code == 400 and response.json()["code"] == "bad_request.invalid_request"
    assert broken.status_code == 400 and broken.json()["code"] == "bad_request.invalid_request"


async def test_unknown_route_and_method_are_typed(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        missing = await client.get("/nowhere")
        wrong = await client.delete("/echo")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found.route")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed.route")


async def test_crash_is_500_internal_service_without_details(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        response = await client.get("/crash")
    assert response.status_code == 500
    assert response.json() == {
        "code": "internal_service.unexpected",
        "message": "internal error",
        "params": {},
    }


async def test_a_storage_fault_is_a_typed_503_that_leaks_nothing(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        down = await client.get("/storage/down")
        unknown = await client.get("/storage/unknown")
    assert (down.status_code, down.json()["code"]) == (503, "unavailable.storage")
    assert (unknown.status_code, unknown.json()["code"]) == (503, "unavailable.outcome_unknown")
    assert "10.0.0.7" not in down.text + unknown.text


async def test_a_storage_fault_is_counted_as_the_503_the_client_got(probe_url, caplog):
    caplog.set_level(logging.INFO, logger="smartbank.access")
    async with httpx.AsyncClient(base_url=probe_url) as client:
        await client.get("/storage/down")
        text = (await client.get("/metrics")).text
    line = 'smartbank_http_requests_total{method="GET",route="/storage/{fault}",status="503"} 1.0'
    assert line in text
    logged = [r for r in caplog.records if r.name == "smartbank.access"]
    assert [r.status for r in logged if r.path == "/storage/down"] == [503]


async def test_metrics_count_requests_by_route_and_status(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        await client.get("/fail/bad_request.nope")
        text = (await client.get("/metrics")).text
    line = 'smartbank_http_requests_total{method="GET",route="/fail/{code}",status="400"} 1.0'
    assert line in text


async def test_access_log_line_is_json_with_ids(probe_url, caplog):
    from smartbank.logs import JsonFormatter

    caplog.set_level(logging.INFO, logger="smartbank.access")
    async with httpx.AsyncClient(base_url=probe_url) as client:
        response = await client.get("/context", headers={"x-request-id": "req-42"})
    records = [r for r in caplog.records if r.name == "smartbank.access"]
    line = json.loads(JsonFormatter("probe").format(records[-1]))
    assert line["request_id"] == "req-42"
    assert line["trace_id"] == response.headers["x-trace-id"]
    assert line["status"] == 200 and line["path"] == "/context"


def test_a_log_line_keeps_extra_fields_but_not_uvicorns_coloured_copy_of_the_message():
    from smartbank.logs import JsonFormatter

    record = logging.LogRecord("uvicorn.error", logging.INFO, "", 0, "Started %d", (1,), None)
    record.color_message = "Started \x1b[36m%d\x1b[0m"
    record.port = 8103
    line = json.loads(JsonFormatter("probe").format(record))
    assert line["msg"] == "Started 1" and line["port"] == 8103
    assert "color_message" not in line


async def test_readiness_reports_each_dependency(probe_url):
    async with httpx.AsyncClient(base_url=probe_url) as client:
        ready = (await client.get("/readyz")).json()
        live = await client.get("/healthz")
    assert ready["ready"] is True and ready["checks"]["lifecycle"] == {"ok": True}
    assert live.status_code == 200
