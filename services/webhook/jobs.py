from smartbank.runtime import Runtime
from smartbank.service import PeriodicJob
from smartbank.settings import PlatformSettings, typed
from webhook.delivery import open_deliverer
from webhook.settings import Settings


async def retry_deliveries(runtime: Runtime) -> None:
    async with open_deliverer(runtime.store, runtime.settings_as(Settings)) as deliverer:
        await deliverer.retry_due()


def retry_interval(settings: PlatformSettings) -> float:
    return typed(settings, Settings).webhook_retry_interval


ALL = (PeriodicJob("retry-deliveries", run=retry_deliveries, every=retry_interval),)
