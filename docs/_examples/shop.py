"""The tutorial's pipeline (docs/getting_started/tutorial.md): daily sales → totals per item → report."""

from __future__ import annotations

from typing import Any

import luigi
import pandas as pd

import kart_task


class LoadSales(kart_task.TaskOnKart[pd.DataFrame]):
    """The day's sales; a real pipeline would read them from a database."""

    day = luigi.DateParameter()

    def output(self) -> Any:
        return self.make_target("shop/sales.csv")

    def run(self) -> None:
        self.dump(pd.DataFrame({"item": ["apple", "pear", "apple", "fig"], "amount": [3, 2, 4, 1]}))


class TotalPerItem(kart_task.TaskOnKart[pd.DataFrame]):
    """Units sold per item."""

    sales = kart_task.TaskInstanceParameter()

    def run(self) -> None:
        sales = self.load(self.sales)
        self.dump(sales.groupby("item", as_index=False)["amount"].sum())


class Report(kart_task.TaskOnKart[str]):
    """The best sellers of a day, one line each."""

    day = luigi.DateParameter()
    top = luigi.IntParameter(default=2)

    def requires(self) -> TotalPerItem:
        return TotalPerItem(sales=LoadSales(day=self.day))

    def output(self) -> Any:
        return self.make_target("shop/report.txt")

    def run(self) -> None:
        totals = self.load().sort_values("amount", ascending=False).head(self.top)
        self.dump("\n".join(f"{row.item}: {row.amount}" for row in totals.itertuples()))
