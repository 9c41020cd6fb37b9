from merchant import main
from smartbank.testing import service_client


async def test_merchant_api_answers_with_status_codes_and_typed_errors() -> None:
    async with service_client(main.service) as client:
        known = await client.post(
            "/merchants/resolve", json={"descriptor": "STARBUCKS 1234 LONDON GBR", "mcc": "5814"}
        )
        assert known.status_code == 200
        starbucks = known.json()["merchant"]
        assert starbucks["name"] == "Starbucks" and starbucks["category"] == "eating_out"

        created = await client.post(
            "/merchants/resolve", json={"descriptor": "SQ *JOE'S CAFE 12", "mcc": "5812"}
        )
        assert created.status_code == 200
        joes = created.json()["merchant"]
        assert joes["name"] == "Joes Cafe" and joes["id"].startswith("merch_")
        assert joes["address"]["latitude"] == 0.0 and joes["address"]["city"] == ""

        fetched = await client.get(f"/merchants/{joes['id']}")
        assert fetched.status_code == 200
        assert fetched.json() == {"merchant": joes}

        batch = await client.post(
            "/merchants/batch", json={"ids": [joes["id"], starbucks["id"], "merch_missing"]}
        )
        assert batch.status_code == 200
        assert batch.json() == {"merchants": {joes["id"]: joes, starbucks["id"]: starbucks}}

        bad_mcc = await client.post(
            "/merchants/resolve", json={"descriptor": "ACME WIDGETS", "mcc": "58"}
        )
        assert bad_mcc.status_code == 400
        assert bad_mcc.json() == {
            "code": "bad_request.invalid_mcc",
            "message": "mcc must be four digits",
            "params": {"mcc": "58"},
        }

        empty = await client.post("/merchants/resolve", json={"descriptor": " ", "mcc": "5812"})
        assert empty.status_code == 400
        assert empty.json()["code"] == "bad_request.invalid_descriptor"

        incomplete = await client.post("/merchants/resolve", json={"mcc": "5812"})
        assert incomplete.status_code == 400
        assert incomplete.json()["code"] == "bad_request.invalid_request"

        too_many = await client.post("/merchants/batch", json={"ids": ["merch_x"] * 101})
        assert too_many.status_code == 400
        assert too_many.json()["code"] == "bad_request.invalid_request"

        missing = await client.get("/merchants/merch_missing")
        assert missing.status_code == 404
        assert missing.json() == {
            "code": "not_found.merchant",
            "message": "no merchant merch_missing",
            "params": {"merchant_id": "merch_missing"},
        }
