"""The luigi private names gokart's public modules re-export (gokart 1.12's `gokart.worker` carried a
copy of luigi's worker module, so code written against it may import these helpers from there).

This is the only gokart module that names a luigi private; kart-task's own luigi internals sit behind
`kart_task._luigi`. A luigi without one of these names gets None in its place rather than a failing
`import gokart.worker`.
"""

from __future__ import annotations

from typing import Any

import luigi
import luigi.worker


def _worker_private(name: str) -> Any:
    return getattr(luigi.worker, name, None)


WAIT_INTERVAL_EPS: Any = _worker_private("_WAIT_INTERVAL_EPS")
get_retry_policy_dict: Any = _worker_private("_get_retry_policy_dict")
is_external: Any = _worker_private("_is_external")


# luigi 3.7 added StrParameter (a Parameter typed as str); on 3.6 a plain Parameter reads the same text.
StrParameter: Any = getattr(luigi, "StrParameter", luigi.Parameter)
