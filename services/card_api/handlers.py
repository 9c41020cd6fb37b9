import time
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Header

from card_api.messages import Adjustment, Authorisation
from card_api.metrics import AuthorisationMetrics
from card_api.network import ISSUER_UNAVAILABLE, Network
from card_api.settings import Settings
from smartbank.deps import RuntimeDep

router = APIRouter(prefix="/network/v1")

DeadlineHeader = Annotated[int | None, Header(alias="X-Network-Deadline-Ms", gt=0, le=60_000)]


async def network(runtime: RuntimeDep) -> Network:
    settings = cast(Settings, runtime.settings)
    return runtime.resource("network", lambda: Network(runtime.rpc, settings))


async def metrics(runtime: RuntimeDep) -> AuthorisationMetrics:
    return runtime.resource("metrics", lambda: AuthorisationMetrics(runtime.registry))


NetworkDep = Annotated[Network, Depends(network)]
MetricsDep = Annotated[AuthorisationMetrics, Depends(metrics)]


@router.post("/authorisations")
async def authorise(
    message: Authorisation,
    net: NetworkDep,
    counted: MetricsDep,
    deadline_ms: DeadlineHeader = None,
) -> dict[str, Any]:
    arrived = time.monotonic()
    body = message.model_dump()
    answer = await net.forward("/authorisations", body, net.budget(deadline_ms, arrived))
    if answer is None:
        net.stand_in(body)
        answer = {"approved": False, "response_code": ISSUER_UNAVAILABLE}
    counted.count(answer)
    return answer


@router.post("/reversals")
async def reverse(
    message: Adjustment, net: NetworkDep, deadline_ms: DeadlineHeader = None
) -> dict[str, Any]:
    return await _adjust("/reversals", message, net, deadline_ms)


@router.post("/presentments")
async def present(
    message: Adjustment, net: NetworkDep, deadline_ms: DeadlineHeader = None
) -> dict[str, Any]:
    return await _adjust("/presentments", message, net, deadline_ms)


async def _adjust(
    path: str, message: Adjustment, net: Network, deadline_ms: int | None
) -> dict[str, Any]:
    arrived = time.monotonic()
    answer = await net.forward(path, message.model_dump(), net.budget(deadline_ms, arrived))
    return answer or {"accepted": False, "response_code": ISSUER_UNAVAILABLE}
