from pathlib import Path
from typing import Self

from pydantic import Field, model_validator

from smartbank.settings import PlatformSettings


class Settings(PlatformSettings):
    apns_endpoint: str = "https://api.sandbox.push.apple.com"
    apns_topic: str = Field(default="dev.smartbank.app", min_length=1)
    apns_team_id: str = ""
    apns_key_id: str = ""
    apns_key_pem: str = ""
    apns_key_file: Path | None = None
    apns_expiration_seconds: int = Field(default=24 * 3600, gt=0)
    apns_timeout_seconds: float = Field(default=10.0, gt=0)
    apns_attempts: int = Field(default=5, ge=1)
    apns_retry_wait_seconds: float = Field(default=0.5, ge=0)
    apns_retry_max_wait_seconds: float = Field(default=30.0, ge=0)

    @model_validator(mode="after")
    def _signing_key_is_complete(self) -> Self:
        has_key = bool(self.apns_key_pem or self.apns_key_file)
        if has_key and not (self.apns_team_id and self.apns_key_id):
            raise ValueError("an APNs signing key needs APNS_TEAM_ID and APNS_KEY_ID")
        return self

    def signing_key_pem(self) -> str | None:
        if self.apns_key_pem:
            return self.apns_key_pem.replace("\\n", "\n")
        if self.apns_key_file is not None:
            return self.apns_key_file.read_text()
        return None
