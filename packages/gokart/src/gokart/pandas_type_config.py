"""gokart.pandas_type_config: DataFrame column type checks at dump, defined in kart-task."""

from kart_task import PandasTypeConfig, PandasTypeConfigMap, PandasTypeError

__all__ = ["PandasTypeConfig", "PandasTypeConfigMap", "PandasTypeError"]
