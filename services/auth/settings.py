from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    access_token_ttl: int = Field(default=21600, gt=0)
