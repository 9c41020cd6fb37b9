from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    webhook_allow_private_addresses: bool = False
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_backoff_base: float = Field(default=2.0, gt=0)
    webhook_backoff_max: float = Field(default=3600.0, gt=0)
    webhook_timeout: float = Field(default=10.0, gt=0)
    webhook_retry_interval: float = Field(default=2.0, gt=0)
