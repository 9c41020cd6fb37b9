from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    # How often the relay looks for events still to publish (seconds); a write that adds
    # events also wakes it at once, so this only bounds how late a leftover is sent.
    outbox_interval: float = Field(default=1.0, gt=0)
