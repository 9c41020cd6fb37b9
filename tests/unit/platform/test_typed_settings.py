import pytest

from card_processing.settings import Settings as CardProcessingSettings
from smartbank.settings import PlatformSettings, typed


def test_typed_gives_the_service_its_own_settings_class() -> None:
    settings: PlatformSettings = CardProcessingSettings(storage="memory")
    assert typed(settings, CardProcessingSettings).offline_floor_limit == 5000


def test_typed_refuses_settings_of_another_class() -> None:
    with pytest.raises(TypeError, match="built with PlatformSettings, not Settings"):
        typed(PlatformSettings(storage="memory"), CardProcessingSettings)
