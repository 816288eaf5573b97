"""The one door to luigi's private parts: every luigi name starting with `_` that kart-task uses is used here.

No other module of kart-task reads, writes, imports or overrides a luigi private name (a test scans them).
The modules:

- `scheduler`: `LocalScheduler`, luigi's Scheduler with cheap answers for in-process builds.
- `worker`: `Worker`/`TaskProcess`, luigi's worker with the completion check at run and failure reports.
- `param_values`: luigi's `Task.get_param_values` without its eager argument repr.
- `parameters`: base classes overriding luigi's parameter hooks (type check, command-line form).
- `internals`: small named functions for the remaining touches (register table, events, run summary).
- `support`: the tested range, the machine-readable list `RELIED_UPON`, `missing_names()`, and
  `specialised()`, which the specialisations ask before departing from plain luigi.

What the layer relies on (every attribute, machine-readable: `support.RELIED_UPON`):

======================================  =================  ==========================================
private name (luigi module.object)      module here        used for
======================================  =================  ==========================================
scheduler.Scheduler: `_state`,          scheduler          cheap `get_work`/`count_pending` for
`_config`, `_paused`, `_update_worker`,                    in-process builds, a cached rank order
`_rank`, `_update_task_history`,
`_reset_orphaned_batch_running_tasks`
scheduler.SimpleTaskState: `_tasks`,    scheduler          the same; the state's class is swapped
`_status_tasks`, `_task_batchers`,                         to note every status change
`_active_workers`
worker.Worker: `_config`, `_id`,        worker             kart's task process; a raising
`_scheduler`, `_task_result_queue`,                        `requires()` comes out of the build;
`_task_completion_cache`, `_add`,                          `[gokart_worker]` options; the
`_create_task_process`,                                    prefetched positives seed the cache
`_log_dependency_error`,
`_check_complete_value`
worker.Worker: `_add_task_history`      internals          events of forked task processes
worker.TaskProcess:                     worker             skip a task completed elsewhere; send
`_run_get_new_deps`,                                       the run() exception to the builder
`_handle_run_exception`
parameter: `_no_value`; Parameter:      param_values       parameter values without config lookups
`_default`, `_config_path`,                                that cannot apply
`_get_value`, `_value_iterator`,
`_get_value_from_config`
task.Task: `_unconsumed_params`         param_values       luigi's once-per-key config warning
parameter.Parameter:                    parameters         type check of task-valued parameters;
`_warn_on_wrong_param_type`,                               `ExplicitBoolParameter`'s flag form
`_parser_kwargs`
parameter: `_NoValueType`,              parameters         parameter signatures (typing only)
`_ParameterKwargs`
task_register.Register: `_reg`          internals          PandasTypeConfig lookup (cached on the
                                                           table), `reset_task_register`
task.Task: `_event_callbacks`           internals          removing run()'s event handlers
task: `_task_wraps`                     internals          `inherits_config_params`
execution_summary:                      internals          `run()`'s exit code
`_partition_tasks`, `_summary_dict`,
`_root_task`
======================================  =================  ==========================================

Tested on luigi 3.6.0 and 3.8.1 (the range `>=3.6,<3.9` of kart-task's pyproject; `support.TESTED_RANGE`).

Fallback: on a luigi outside that range, or one lacking a name of `RELIED_UPON`, `support.specialised()`
warns once (`LuigiVersionWarning`) and kart runs on plain luigi: luigi's own Scheduler, Worker behaviour
and `get_param_values`. Builds then still work, slower, and a run() failure in a forked task process is
reported without its exception object. The small functions of `internals` each fall back to plain
Python when their name is missing (e.g. the live subclasses instead of the register table).
"""

from . import parameters as _parameters  # noqa: F401  (first: luigi 3.6's Parameter[X], see there)
from .support import RELIED_UPON, TESTED_RANGE, LuigiVersionWarning, missing_names, reset, specialised

__all__ = ["RELIED_UPON", "TESTED_RANGE", "LuigiVersionWarning", "missing_names", "reset", "specialised"]
