"""Save/load functions that store a large DataFrame as row chunks (for model targets).

A leaf module (numpy and pandas only): the dill-free unpickler resolves gokart's pickled
`LargeDataFrameProcessor` here without importing the targets.
"""

from __future__ import annotations

import glob
import logging
import os
import re

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

_CHUNK_NAME = re.compile(r"data_(\d+)\.pkl$")


class LargeDataFrameProcessor:
    """Save/load functions for a model target that stores a DataFrame as row chunks of at most
    about `max_byte` bytes each (`data_<i>.pkl`, plain pandas pickles)."""

    def __init__(self, max_byte: int) -> None:
        self.max_byte = int(max_byte)

    def save(self, df: pd.DataFrame, file_path: str) -> None:
        """Write `df` beside `file_path` as pickled row chunks of at most `max_byte` bytes each."""
        directory = os.path.dirname(file_path)
        os.makedirs(directory, exist_ok=True)
        if df.empty:
            df.to_pickle(os.path.join(directory, "data_0.pkl"))
            return
        split_size = df.values.nbytes // self.max_byte + 1
        # upstream crashed when there were more chunks than rows; a chunk never needs to be smaller than a row
        split_size = min(split_size, len(df))
        logger.info("saving a large DataFrame in %d chunks", split_size)
        for i, rows in enumerate(np.array_split(np.arange(len(df)), split_size)):
            df.iloc[rows[0] : rows[-1] + 1].to_pickle(os.path.join(directory, f"data_{i}.pkl"))

    @staticmethod
    def load(file_path: str) -> pd.DataFrame:
        """Chunks in their original order (numeric suffix; upstream concatenated them in glob order)."""
        directory = os.path.dirname(file_path)
        chunks = []
        for name in glob.glob(os.path.join(directory, "data_*.pkl")):
            match = _CHUNK_NAME.search(os.path.basename(name))
            if match is not None:
                chunks.append((int(match.group(1)), name))
        frames: list[pd.DataFrame] = [pd.read_pickle(name) for _, name in sorted(chunks)]
        return pd.concat(frames)
