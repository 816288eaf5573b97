"""Task classes for the task-information, graph and explain tests (module `treeproj.tasks`)."""

from __future__ import annotations

from typing import Any

import luigi

import kart_task


class TaskA(kart_task.TaskOnKart[str]):
    param = luigi.Parameter()

    def run(self) -> None:
        self.dump(f"{self.param}")


class TaskB(kart_task.TaskOnKart[str]):
    task = kart_task.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(self.load("task") + " taskB")


class TaskC(kart_task.TaskOnKart[str]):
    task = kart_task.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(self.load("task") + " taskC")


class TaskD(kart_task.TaskOnKart[str]):
    task1 = kart_task.TaskInstanceParameter()
    task2 = kart_task.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(",".join([self.load("task1"), self.load("task2")]))


def docs_example() -> TaskD:
    """The TaskA..TaskD example of gokart's task-information docs (shared/spec/build_run.md 5.2)."""

    def quarter() -> TaskD:
        return TaskD(task1=TaskC(task=TaskA(param="foo")), task2=TaskC(task=TaskB(task=TaskA(param="bar"))))

    return TaskD(task1=TaskD(task1=quarter(), task2=quarter()), task2=TaskD(task1=quarter(), task2=quarter()))


class _SubTask(kart_task.TaskOnKart[int]):
    def run(self) -> None:
        self.dump(1)


class _Task(kart_task.TaskOnKart[int]):
    param = luigi.IntParameter(default=10)

    def requires(self) -> Any:
        return _SubTask()

    def run(self) -> None:
        self.dump(self.param)


class _DoubleTask(kart_task.TaskOnKart[int]):
    def requires(self) -> Any:
        return {"taskA": _Task(param=1), "taskB": _SubTask()}

    def run(self) -> None:
        self.dump(2)


class Layer(kart_task.TaskOnKart[int]):
    """Task `index` of layer `level` needs tasks `index` and `index + 1` (mod width) of the layer below."""

    level = luigi.IntParameter()
    index = luigi.IntParameter()
    width = luigi.IntParameter()

    def requires(self) -> Any:
        # Built once per instance: luigi spends about a millisecond making each task instance, which
        # would otherwise dominate every walk of a 5,000-task graph.
        if "_deps" not in self.__dict__:
            below = self.level - 1
            self.__dict__["_deps"] = (
                []
                if self.level == 0
                else [
                    Layer(level=below, index=self.index, width=self.width),
                    Layer(level=below, index=(self.index + 1) % self.width, width=self.width),
                ]
            )
        return self.__dict__["_deps"]

    def run(self) -> None:
        self.dump(int(self.level))


class LayeredRoot(kart_task.TaskOnKart[int]):
    """`levels * width` Layer tasks plus this root, which needs the whole top layer."""

    levels = luigi.IntParameter()
    width = luigi.IntParameter()

    def requires(self) -> Any:
        if "_deps" not in self.__dict__:
            top = self.levels - 1
            self.__dict__["_deps"] = [Layer(level=top, index=i, width=self.width) for i in range(self.width)]
        return self.__dict__["_deps"]

    def run(self) -> None:
        self.dump(0)


class Value(kart_task.TaskOnKart[Any]):
    """A task whose parameter text can hold quotes, backslashes, newlines and markup."""

    text = luigi.Parameter(default="plain")

    def run(self) -> None:
        self.dump(self.text)


class Combine(kart_task.TaskOnKart[Any]):
    left = kart_task.TaskInstanceParameter()
    right = kart_task.TaskInstanceParameter()

    def run(self) -> None:
        self.dump([self.load("left"), self.load("right")])


class AlwaysDone(kart_task.TaskOnKart[Any]):
    """Custom complete(): never runs, whatever its files say."""

    def complete(self) -> bool:
        return True


class NeedsExternal(kart_task.TaskOnKart[Any]):
    path = luigi.Parameter()

    def requires(self) -> Any:
        return ExternalFile(path=self.path)

    def run(self) -> None:
        self.dump("ok")


class ExternalFile(luigi.ExternalTask):
    path = luigi.Parameter()

    def output(self) -> Any:
        return luigi.LocalTarget(self.path)


class NeverDone(kart_task.TaskOnKart[Any]):
    """No outputs and a custom complete() that is always False: always runs."""

    def output(self) -> Any:
        return []

    def complete(self) -> bool:
        return False

    def run(self) -> None:
        pass


class Checked(kart_task.TaskOnKart[Any]):
    """Built with serialized_task_definition_check=True in the explain tests."""

    n = luigi.IntParameter(default=1)

    def run(self) -> None:
        self.dump(self.n)


class GeneratorRequires(kart_task.TaskOnKart[Any]):
    def requires(self) -> Any:
        yield TaskA(param="g1")
        yield TaskA(param="g2")
