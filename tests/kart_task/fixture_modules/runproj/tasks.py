"""Tasks run from the command line by tests/kart_task/test_run*.py (through `run_main.py`)."""

from __future__ import annotations

import time
from typing import Any

import luigi
import pandas as pd

import kart_task


class Source(kart_task.TaskOnKart[pd.DataFrame]):
    rows = luigi.IntParameter(default=3)

    def output(self) -> Any:
        return self.make_target("runproj/source.pkl")

    def run(self) -> None:
        self.dump(pd.DataFrame({"a": list(range(1, int(self.rows) + 1))}))


class Double(kart_task.TaskOnKart[pd.DataFrame]):
    def requires(self) -> Any:
        return Source()

    def output(self) -> Any:
        return self.make_target("runproj/double.pkl")

    def run(self) -> None:
        df = self.load()
        self.dump(df.assign(b=df["a"] * 2))


class FirstRow(kart_task.TaskOnKart[int]):
    """Fine on real data; breaks on an empty frame (there is no first row)."""

    def requires(self) -> Any:
        return Double()

    def output(self) -> Any:
        return self.make_target("runproj/first_row.pkl")

    def run(self) -> None:
        df = self.load()
        self.dump(int(df["b"].iloc[0]))


class Total(kart_task.TaskOnKart[int]):
    """Fine on empty data too."""

    def requires(self) -> Any:
        return Double()

    def output(self) -> Any:
        return self.make_target("runproj/total.pkl")

    def run(self) -> None:
        self.dump(int(self.load()["b"].sum()))


class Fails(kart_task.TaskOnKart[int]):
    def run(self) -> None:
        raise ValueError("boom from Fails")


class Missing(luigi.ExternalTask):
    def output(self) -> Any:
        return luigi.LocalTarget("./no/such/input.csv")


class NeedsMissing(kart_task.TaskOnKart[int]):
    def requires(self) -> Any:
        return Missing()

    def run(self) -> None:
        self.dump(1)


class BadRequires(kart_task.TaskOnKart[int]):
    def requires(self) -> Any:
        raise RuntimeError("requires() exploded")

    def run(self) -> None:
        self.dump(1)


class Step(kart_task.TaskOnKart[int]):
    """A chain of `n` steps, each sleeping a little so a progress display has something to show."""

    n = luigi.IntParameter(default=4)
    pause = luigi.FloatParameter(default=0.05)

    def requires(self) -> Any:
        return Step(n=int(self.n) - 1, pause=self.pause) if int(self.n) > 1 else []

    def run(self) -> None:
        time.sleep(float(self.pause))
        self.dump(int(self.n))


class NeedsParam(kart_task.TaskOnKart[int]):
    x = luigi.IntParameter()

    def run(self) -> None:
        self.dump(int(self.x))
