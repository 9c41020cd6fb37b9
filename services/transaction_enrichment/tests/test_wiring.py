from smartbank.testing import (
    FakePublisher,
    asgi_client,
    assert_platform_routes,
    deliver,
    running,
)
from transaction_enrichment.main import service
from transaction_enrichment.tests.test_enrich import created, scripted


async def test_enrichment_consumes_through_the_onion_and_serves_the_platform_routes() -> None:
    rpc, publisher = scripted(), FakePublisher()
    async with running(service, rpc=rpc, publisher=publisher) as built:
        async with asgi_client(built) as client:
            await assert_platform_routes(client)
        await deliver(built, created("tx_1"))
    [enriched] = publisher.of_type("transaction.enriched")
    assert enriched.payload.transaction.merchant.name == "Pret A Manger"  # type: ignore[attr-defined]
    assert [call.path for call in rpc.calls_to("transactions")] == ["/transactions/tx_1/enrichment"]
