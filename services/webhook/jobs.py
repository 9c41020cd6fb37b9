from typing import cast

from smartbank.runtime import Runtime
from smartbank.service import PeriodicJob
from smartbank.settings import PlatformSettings
from webhook.delivery import open_deliverer
from webhook.settings import Settings


async def retry_deliveries(runtime: Runtime) -> None:
    async with open_deliverer(runtime.store, cast(Settings, runtime.settings)) as deliverer:
        await deliverer.retry_due()


def retry_interval(settings: PlatformSettings) -> float:
    return cast(Settings, settings).webhook_retry_interval


ALL = (PeriodicJob("retry-deliveries", run=retry_deliveries, every=retry_interval),)
