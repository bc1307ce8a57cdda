"""metrix: metrics for PyTorch as pure functions over mergeable pytree states.

Every metric is a :class:`Metric` triple ``init() / update(state, ...) / compute(state)``
over a state whose leaves declare how two states combine; :func:`merge` and
:func:`sync` are derived from those declarations. :class:`MetricModule` is the
stateful ``nn.Module`` adapter.
"""

from metrix import aggregation as aggregation
from metrix import audio as audio
from metrix import classification as classification
from metrix import clustering as clustering
from metrix import debug as debug
from metrix import detection as detection
from metrix import image as image
from metrix import nominal as nominal
from metrix import pairwise as pairwise
from metrix import regression as regression
from metrix import retrieval as retrieval
from metrix import segmentation as segmentation
from metrix import shape as shape
from metrix import storage as storage
from metrix import text as text
from metrix import wrappers as wrappers
from metrix._core.checks import MetrixWarning as MetrixWarning
from metrix._core.checks import check as check
from metrix._core.checks import check_finite as check_finite
from metrix._core.checks import set_validation as set_validation
from metrix._core.checks import validation as validation
from metrix._core.checks import validation_enabled as validation_enabled
from metrix._core.collection import collection as collection
from metrix._core.ensemble import stack as stack
from metrix._core.ensemble import unstack as unstack
from metrix._core.merge import merge as merge
from metrix._core.metric import Metric as Metric
from metrix._core.metric import factory as factory
from metrix._core.module import MetricModule as MetricModule
from metrix._core.state import leaf as leaf
from metrix._core.state import state as state
from metrix._core.sync import sync as sync
from metrix._core.tree import signature as signature

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # metrix.plot is loaded on first use, so `import metrix` never imports matplotlib.
    if name == "plot":
        import importlib

        return importlib.import_module("metrix.plot")
    raise AttributeError(f"module 'metrix' has no attribute {name!r}")
