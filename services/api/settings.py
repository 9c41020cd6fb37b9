from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    # Public traffic is rate limited per access token and per client address (requests/second,
    # with a burst); 0 turns a limit off.
    rate_limit_per_token: float = Field(default=20.0, ge=0)
    rate_limit_per_address: float = Field(default=50.0, ge=0)
    rate_limit_burst: int = Field(default=40, gt=0)
