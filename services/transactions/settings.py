from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    # How often the relay looks for events still to publish (seconds).
    outbox_interval: float = Field(default=0.05, gt=0)
