from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    network_deadline_ms: int = Field(default=2000, gt=0)
    # Before the deadline: the edge answers 91 itself 50 ms before it, and under a burst its
    # timers fire up to ~100 ms early against its arrival stamp (they count from the start of
    # its event loop's turn), so what card-api sends later may be dropped.
    answer_margin_ms: int = Field(default=200, ge=0)
    stand_in_attempts: int = Field(default=5, ge=0)
    max_in_flight: int = Field(default=32, gt=0)
