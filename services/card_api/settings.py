from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    network_deadline_ms: int = Field(default=2000, gt=0)
    answer_margin_ms: int = Field(default=50, ge=0)
    stand_in_attempts: int = Field(default=5, ge=0)
