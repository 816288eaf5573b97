"""gokart.config_params: inherits_config_params, defined in kart-task."""

from kart_task import inherits_config_params

__all__ = ["inherits_config_params"]
