from card_processing.chargebacks import Chargebacks
from card_processing.expiry import Expirer
from card_processing.follow_ups import FollowUps
from card_processing.peers import Peers
from card_processing.presentments import Presenter
from card_processing.records import Records
from card_processing.settings import Settings
from smartbank.runtime import Runtime
from smartbank.service import PeriodicJob
from smartbank.settings import PlatformSettings, typed


async def expire_holds(runtime: Runtime) -> None:
    settings = runtime.settings_as(Settings)
    records, peers = Records(runtime.store), Peers(runtime.rpc)
    presenter = Presenter(records, peers, Chargebacks(runtime.store), settings.offline_floor_limit)
    await Expirer(records, peers, settings.hold_sweep_days, presenter.carry_out).sweep()


async def follow_up(runtime: Runtime) -> None:
    settings = runtime.settings_as(Settings)
    await FollowUps(Records(runtime.store), Peers(runtime.rpc), settings.record_follow_up).sweep()


def sweep_interval(settings: PlatformSettings) -> float:
    return typed(settings, Settings).hold_sweep_interval


def follow_up_interval(settings: PlatformSettings) -> float:
    """Often enough that a follow-up runs soon after it is due."""
    return min(1.0, typed(settings, Settings).record_follow_up / 2)


ALL = (
    PeriodicJob("expire-holds", run=expire_holds, every=sweep_interval),
    PeriodicJob("record-follow-ups", run=follow_up, every=follow_up_interval),
)
