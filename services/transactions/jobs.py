from smartbank.events.outbox import relay
from smartbank.runtime import Runtime
from smartbank.service import PeriodicJob
from smartbank.settings import PlatformSettings, typed
from transactions.events import OUTBOX
from transactions.settings import Settings


async def publish_outbox(runtime: Runtime) -> None:
    await relay(runtime, [OUTBOX])


def relay_interval(settings: PlatformSettings) -> float:
    return typed(settings, Settings).outbox_interval


RELAY = "outbox-relay"
ALL = (PeriodicJob(RELAY, run=publish_outbox, every=relay_interval),)
