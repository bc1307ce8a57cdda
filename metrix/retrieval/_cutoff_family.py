"""The public factory of a per-query metric at a cut-off, written once.

Recall, hit rate, fall-out, MAP, MRR and NDCG take the same TorchMetrics signature
(``empty_target_action, ignore_index, top_k, aggregation`` and the two input forms' options)
and have the same body: a per-query kernel made into a metric by
:func:`~metrix.retrieval._forms.cutoff_metric`. Only the kernel, the name, what an empty
query lacks and the docstring differ. :class:`CutoffMetric` writes the signature and the
body once; a public module makes its factory with one call::

    retrieval_recall = CutoffMetric("retrieval_recall", _recall, __name__, doc, higher_is_better=True).factory

It is a real function named and documented as that module's own (see
:func:`metrix._core.family.publish`). Precision (``adaptive_k``), AUROC (``max_fpr``) and
R-precision (no ``top_k``) have signatures of their own and are written out in full.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

from metrix._core.docstrings import Glossary
from metrix._core.family import publish
from metrix._core.metric import Metric
from metrix.retrieval import _parameter_docs as parameter_docs
from metrix.retrieval._forms import Kernel, cutoff_metric
from metrix.retrieval._inputs import Options

__all__ = ["CutoffMetric"]


class CutoffMetric:
    """One per-query metric at a cut-off and its public factory, ``.factory``.

    Args:
        name: the public name.
        kernel: the per-query kernel (see :data:`~metrix.retrieval._forms.Kernel`).
        module: the public module's ``__name__``.
        doc: the docstring (the glossary writes the shared ``Args:`` entries and ``Returns:``).
        higher_is_better: as for ``@factory``.
        glossary: the shared docstring parts (:data:`~metrix.retrieval._parameter_docs.CUTOFF`
            and an example's opening lines).
        graded: the relevance is graded (NDCG), not 0/1.
        empty_what: what a query without which ``empty_target_action`` applies lacks
            (``"positive"``, ``"negative"``).
        empty_target_action: the default of ``empty_target_action`` (TorchMetrics': ``"neg"``,
            ``"pos"`` for fall-out).
    """

    def __init__(
        self,
        name: str,
        kernel: Kernel,
        module: str,
        doc: str,
        *,
        higher_is_better: bool,
        glossary: Glossary = parameter_docs.CUTOFF,
        graded: bool = False,
        empty_what: str = "positive",
        empty_target_action: str = "neg",
    ) -> None:
        self.name, self.kernel, self.graded, self.empty_what = name, kernel, graded, empty_what
        defaults = {"empty_target_action": empty_target_action}
        self.factory = publish(
            self._factory, name, module, doc, higher_is_better=higher_is_better, glossary=glossary, defaults=defaults
        )

    def _factory(
        self,
        empty_target_action: str = "neg",
        ignore_index: int | None = None,
        top_k: int | tuple[int, ...] | None = None,
        aggregation: str | Callable[..., Tensor] = "mean",
        *,
        dense: bool = False,
        capacity: int | None = None,
        validate_args: bool = True,
    ) -> Metric:
        options = Options(empty_target_action, ignore_index, aggregation, dense, capacity, validate_args)
        return cutoff_metric(self.name, self.kernel, options, top_k, graded=self.graded, empty_what=self.empty_what)
