from typing import Annotated, cast

from fastapi import APIRouter, Depends, Header

from card_api.messages import NO_SUCH_CARD, Adjustment, Authorisation
from card_api.metrics import AuthorisationMetrics
from card_api.network import Budget, Network
from card_api.settings import Settings
from smartbank import context
from smartbank.contracts.card_processing import Adjusted, Decision
from smartbank.deps import RuntimeDep

router = APIRouter(prefix="/network/v1")

DeadlineHeader = Annotated[int | None, Header(alias="X-Network-Deadline-Ms", gt=0, le=60_000)]
ArrivedHeader = Annotated[str | None, Header(alias=context.ARRIVED_AT_MS)]


async def network(runtime: RuntimeDep) -> Network:
    settings = cast(Settings, runtime.settings)
    return runtime.resource("network", lambda: Network(runtime.rpc, settings))


async def metrics(runtime: RuntimeDep) -> AuthorisationMetrics:
    return runtime.resource("metrics", lambda: AuthorisationMetrics(runtime.registry))


NetworkDep = Annotated[Network, Depends(network)]
MetricsDep = Annotated[AuthorisationMetrics, Depends(metrics)]


async def deadline_budget(
    net: NetworkDep, deadline_ms: DeadlineHeader = None, arrived_at: ArrivedHeader = None
) -> Budget:
    return net.budget(deadline_ms, arrived_at)


BudgetDep = Annotated[Budget, Depends(deadline_budget)]


@router.post("/authorisations")
async def authorise(
    message: Authorisation,
    net: NetworkDep,
    counted: MetricsDep,
    budget: BudgetDep,
) -> Decision:
    if not message.token_is_wellformed:
        refused = Decision(approved=False, response_code=NO_SUCH_CARD)
        counted.count(refused)
        return refused
    answer = await net.authorise(message.model_dump(), budget)
    counted.count(answer)
    return answer


@router.post("/reversals")
async def reverse(message: Adjustment, net: NetworkDep, budget: BudgetDep) -> Adjusted:
    return await _adjust("/reversals", message, net, budget)


@router.post("/presentments")
async def present(message: Adjustment, net: NetworkDep, budget: BudgetDep) -> Adjusted:
    return await _adjust("/presentments", message, net, budget)


async def _adjust(path: str, message: Adjustment, net: Network, budget: Budget) -> Adjusted:
    if not message.token_is_wellformed:
        return Adjusted(accepted=False, response_code=NO_SUCH_CARD)
    return await net.adjust(path, message.model_dump(), budget)
