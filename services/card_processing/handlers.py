from typing import Annotated, Any

from fastapi import APIRouter, Depends

from card_processing.adjust import Adjuster
from card_processing.authorise import Authoriser
from card_processing.chargebacks import Chargebacks
from card_processing.follow_ups import FollowUps
from card_processing.messages import Adjustment, Authorisation
from card_processing.peers import Peers
from card_processing.presentments import Presenter
from card_processing.records import Records
from card_processing.settings import Settings
from smartbank.contracts.card_processing import Adjusted, Decision
from smartbank.deps import RpcDep, StoreDep, settings_of

router = APIRouter()

SettingsDep = Annotated[Settings, Depends(settings_of(Settings))]


async def authoriser(store: StoreDep, rpc: RpcDep, settings: SettingsDep) -> Authoriser:
    records, peers = Records(store), Peers(rpc)
    follow_ups = FollowUps(records, peers, settings.record_follow_up)
    return Authoriser(records, peers, settings, follow_ups)


async def adjuster(store: StoreDep, rpc: RpcDep) -> Adjuster:
    return Adjuster(Records(store), Peers(rpc))


async def presenter(store: StoreDep, rpc: RpcDep, settings: SettingsDep) -> Presenter:
    return Presenter(Records(store), Peers(rpc), Chargebacks(store), settings.offline_floor_limit)


AuthoriserDep = Annotated[Authoriser, Depends(authoriser)]
AdjusterDep = Annotated[Adjuster, Depends(adjuster)]
PresenterDep = Annotated[Presenter, Depends(presenter)]


@router.post("/authorisations")
async def authorise(message: Authorisation, decide: AuthoriserDep) -> Decision:
    return Decision(**await decide.authorise(message))


@router.post("/reversals")
async def reverse(message: Adjustment, adjust: AdjusterDep) -> Adjusted:
    return Adjusted(**await adjust.reverse(message))


@router.post("/stand-ins")
async def stand_in(message: Adjustment, adjust: AdjusterDep) -> Adjusted:
    return Adjusted(**await adjust.reverse(message, stand_in=True))


@router.post("/presentments")
async def present(message: Adjustment, clear: PresenterDep) -> Adjusted:
    return Adjusted(**await clear.present(message))


@router.get("/chargebacks")
async def chargebacks(store: StoreDep, account_id: str | None = None) -> dict[str, Any]:
    return {"chargebacks": await Chargebacks(store).listed(account_id)}
