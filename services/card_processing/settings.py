from pydantic import Field

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    hold_expiry: float = Field(default=7 * 24 * 3600, gt=0)
    hold_sweep_interval: float = Field(default=30.0, gt=0)
    hold_sweep_days: int = Field(default=14, gt=0)
    pending_lease: float = Field(default=5.0, gt=0)
    # Seconds after a failed transaction write by when a late one must have landed.
    record_follow_up: float = Field(default=5.0, gt=0)
    # Minor units an offline presentment (no authorisation) may charge; the rest is claimed.
    offline_floor_limit: int = Field(default=5000, ge=0)
