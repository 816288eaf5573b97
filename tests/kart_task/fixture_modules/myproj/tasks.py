"""The task classes of shared/spec/hash.md §10, defined on kart_task (module `myproj.tasks`)."""

import datetime

import luigi
from luigi.parameter import ParameterVisibility

import kart_task as gokart


class NoParam(gokart.TaskOnKart):
    pass


class Scalars(gokart.TaskOnKart):
    i = luigi.IntParameter()
    s = luigi.Parameter()
    f = luigi.FloatParameter()


class Containers(gokart.TaskOnKart):
    l = luigi.ListParameter()  # noqa: E741
    d = luigi.DictParameter()


class WithNote(gokart.TaskOnKart):
    a = luigi.IntParameter()
    note = luigi.Parameter(default="x", significant=False)


class Leaf(gokart.TaskOnKart):
    n = luigi.IntParameter(default=1)


class UsesTIP(gokart.TaskOnKart):
    upstream = gokart.TaskInstanceParameter()


class DictRequires(gokart.TaskOnKart):
    def requires(self):
        return dict(b=Leaf(n=2), a=Leaf(n=1))  # noqa: C408 - as written in the spec


class ChainA(gokart.TaskOnKart):
    x = luigi.IntParameter(default=0)


class ChainB(gokart.TaskOnKart):
    a = gokart.TaskInstanceParameter()


class ChainC(gokart.TaskOnKart):
    b = gokart.TaskInstanceParameter()
    tag = luigi.Parameter(default="c")


class InsignificantDep(gokart.TaskOnKart):
    def requires(self):
        return Leaf(n=5, significant=False)


class Namespaced(gokart.TaskOnKart):
    task_namespace = "myns"
    a = luigi.IntParameter(default=1)


class NotNamespaced(gokart.TaskOnKart):
    a = luigi.IntParameter(default=1)


class Namespaced2(gokart.TaskOnKart):
    task_namespace = "myns"


class Holder(gokart.TaskOnKart):
    c = gokart.TaskInstanceParameter()


class ListTIP(gokart.TaskOnKart):
    tasks = gokart.ListTaskInstanceParameter()


class Ordered(gokart.TaskOnKart):
    zeta = luigi.Parameter(default="z")
    alpha = luigi.Parameter(default="a")


class StrEdge(gokart.TaskOnKart):
    s = luigi.Parameter()


class ExtDep(luigi.ExternalTask):
    path = luigi.Parameter()


class UsesLuigiDep(gokart.TaskOnKart):
    def requires(self):
        return ExtDep(path="/data/x.csv")


class Misc(gokart.TaskOnKart):
    b = luigi.BoolParameter(default=False)
    dt = luigi.DateParameter(default=datetime.date(2024, 1, 2))
    o = luigi.OptionalParameter(default=None)
    td = luigi.TimeDeltaParameter(default=datetime.timedelta(hours=1))


class Visibility(gokart.TaskOnKart):
    a = luigi.IntParameter(default=1)
    secret = luigi.Parameter(default="p", visibility=ParameterVisibility.PRIVATE)
    hidden = luigi.Parameter(default="h", visibility=ParameterVisibility.HIDDEN)


class FloatP(gokart.TaskOnKart):
    f = luigi.FloatParameter(default=1)


class Nested(gokart.TaskOnKart):
    def requires(self):
        return {"x": [Leaf(n=1), {"y": Leaf(n=2)}], "z": (Leaf(n=3),)}


class TipInsignificantParam(gokart.TaskOnKart):
    up = gokart.TaskInstanceParameter(significant=False)


class TipNoRequires(gokart.TaskOnKart):
    up = gokart.TaskInstanceParameter()

    def requires(self):
        return []


class CodeTask(gokart.TaskOnKart):
    a = luigi.IntParameter(default=1)

    def run(self):
        self.dump(self.a)

    def helper(self):
        return 42
