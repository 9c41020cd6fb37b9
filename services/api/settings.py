from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    # Named for the api alone: the local launcher gives every service the same environment.
    rate_limit_per_token: float = Field(default=20.0, ge=0, alias="API_RATE_LIMIT_PER_TOKEN")
    rate_limit_per_address: float = Field(default=50.0, ge=0, alias="API_RATE_LIMIT_PER_ADDRESS")
    rate_limit_burst: int = Field(default=100, gt=0, alias="API_RATE_LIMIT_BURST")
