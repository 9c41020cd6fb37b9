from feed_generator.main import service
from feed_generator.tests.test_consumers import MERCHANT, feed_that_stores, transaction_event
from smartbank.testing import (
    FakePublisher,
    asgi_client,
    assert_platform_routes,
    deliver,
    running,
)


async def test_feed_generator_consumes_through_the_onion_and_serves_the_platform_routes() -> None:
    rpc, publisher = feed_that_stores(), FakePublisher()
    async with running(service, rpc=rpc, publisher=publisher) as built:
        async with asgi_client(built) as client:
            await assert_platform_routes(client)
        await deliver(built, transaction_event("transaction.enriched", MERCHANT))
    assert [call.path for call in rpc.calls_to("feed")] == ["/feed/items"]
    assert len(publisher.of_type("feed.item.created")) == 1
