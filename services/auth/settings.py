from typing import Literal

from pydantic import Field

from smartbank.registry import PUBLIC_API_PORT
from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    access_token_ttl: int = Field(default=21600, gt=0)
    authorization_code_ttl: int = Field(default=600, gt=0)
    login_link_ttl: int = Field(default=900, gt=0)
    auth_login_mode: Literal["choose", "email"] = "email"
    auth_public_url: str = f"http://127.0.0.1:{PUBLIC_API_PORT}"
    # The public OAuth routes are rate limited per client address (the token endpoint is where
    # secrets are guessed); the internal routes the api calls on every request are not.
    rate_limit_per_address: float = Field(default=10.0, ge=0, alias="AUTH_RATE_LIMIT_PER_ADDRESS")
    rate_limit_burst: int = Field(default=30, gt=0, alias="AUTH_RATE_LIMIT_BURST")
    rate_limit_paths: str = "/oauth2/"
