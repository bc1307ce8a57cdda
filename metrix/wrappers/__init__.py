"""Combinators: metrics built from other metrics.

Every wrapper returns a :class:`metrix.Metric` whose state is built from the base
metrics' states (stacked copies, a dict, or the base state itself), so it merges,
syncs, compiles and vmaps like any metric.
"""

from metrix.wrappers._bootstrap import bootstrap as bootstrap
from metrix.wrappers._by_group import by_group as by_group
from metrix.wrappers._classwise import classwise as classwise
from metrix.wrappers._compose import compose as compose
from metrix.wrappers._minmax import minmax as minmax
from metrix.wrappers._multioutput import multioutput as multioutput
from metrix.wrappers._multitask import multitask as multitask
from metrix.wrappers._running import running as running
from metrix.wrappers._stateful import StatefulMetric as StatefulMetric
from metrix.wrappers._tracker import tracker as tracker
from metrix.wrappers._transforms import binary_target as binary_target
from metrix.wrappers._transforms import lambda_input as lambda_input
