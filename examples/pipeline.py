"""A small ML-style pipeline on kart-task: load data, build features, train, evaluate.

Written the way gokart users write tasks; only the import differs (`import kart_task as gokart`;
with the gokart meta-package installed, `import gokart` works unchanged).
"""

from __future__ import annotations

import math
import random
from typing import Any

import luigi
import pandas as pd

import kart_task as gokart


class LoadData(gokart.TaskOnKart[pd.DataFrame]):
    rows = luigi.IntParameter(default=200)

    def output(self) -> Any:
        return self.make_target("data/raw.csv")

    def run(self) -> None:
        rng = random.Random(0)
        xs = [rng.uniform(0, 10) for _ in range(self.rows)]
        self.dump(pd.DataFrame({"x": xs, "y": [3.0 * x + 1.0 + rng.gauss(0, 0.5) for x in xs]}))


class MakeFeatures(gokart.TaskOnKart[pd.DataFrame]):
    data = gokart.TaskInstanceParameter()

    def output(self) -> Any:
        return self.make_target("features/features.parquet")

    def run(self) -> None:
        frame = self.load("data")
        frame["x_centered"] = frame["x"] - frame["x"].mean()
        self.dump(frame)


class Train(gokart.TaskOnKart[dict[str, float]]):
    features = gokart.TaskInstanceParameter()

    def run(self) -> None:
        frame = self.load("features")
        slope = (frame["x_centered"] * frame["y"]).sum() / (frame["x_centered"] ** 2).sum()
        intercept = frame["y"].mean() - slope * frame["x"].mean()
        self.dump({"slope": float(slope), "intercept": float(intercept)})


class Evaluate(gokart.TaskOnKart[dict[str, float]]):
    model = gokart.TaskInstanceParameter()
    features = gokart.TaskInstanceParameter()

    def run(self) -> None:
        model = self.load("model")
        frame = self.load("features")
        predicted = model["slope"] * frame["x"] + model["intercept"]
        rmse = math.sqrt(float(((predicted - frame["y"]) ** 2).mean()))
        self.dump({**model, "rmse": rmse})


def pipeline(rows: int = 200, workspace: str = "./resources/") -> Evaluate:
    features = MakeFeatures(
        data=LoadData(rows=rows, workspace_directory=workspace), workspace_directory=workspace
    )
    return Evaluate(
        model=Train(features=features, workspace_directory=workspace),
        features=features,
        workspace_directory=workspace,
    )
