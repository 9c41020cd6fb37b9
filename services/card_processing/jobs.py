from typing import cast

from card_processing.expiry import Expirer
from card_processing.peers import Peers
from card_processing.records import Records
from card_processing.settings import Settings
from smartbank.runtime import Runtime
from smartbank.service import PeriodicJob
from smartbank.settings import PlatformSettings


async def expire_holds(runtime: Runtime) -> None:
    settings = cast(Settings, runtime.settings)
    expirer = Expirer(Records(runtime.store), Peers(runtime.rpc), settings.hold_sweep_days)
    await expirer.sweep()


def sweep_interval(settings: PlatformSettings) -> float:
    return cast(Settings, settings).hold_sweep_interval


ALL = (PeriodicJob("expire-holds", run=expire_holds, every=sweep_interval),)
