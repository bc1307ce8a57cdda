"""Retrieval and ranking metrics, named and parametrised as TorchMetrics' retrieval metrics.

Every metric takes two input forms. The flat form (default) is TorchMetrics':
``update(state, preds, target, indexes)`` with one query id per document; a query may
span batches and ranks, its documents are stored and ranked in ``compute`` by one sort
and segmented sums. ``dense=True`` takes ``(B, L)`` rows that are whole queries (with an
optional ``mask``), scores each row in ``update`` and keeps only fixed sums: it compiles
once, vmaps and syncs as sums. See the ranking guide in the docs.
"""

from metrix.retrieval._auroc import retrieval_auroc as retrieval_auroc
from metrix.retrieval._average_precision import retrieval_average_precision as retrieval_average_precision
from metrix.retrieval._average_precision import retrieval_reciprocal_rank as retrieval_reciprocal_rank
from metrix.retrieval._curve import retrieval_precision_recall_curve as retrieval_precision_recall_curve
from metrix.retrieval._curve import retrieval_recall_at_fixed_precision as retrieval_recall_at_fixed_precision
from metrix.retrieval._ndcg import retrieval_normalized_dcg as retrieval_normalized_dcg
from metrix.retrieval._precision_recall import retrieval_fall_out as retrieval_fall_out
from metrix.retrieval._precision_recall import retrieval_hit_rate as retrieval_hit_rate
from metrix.retrieval._precision_recall import retrieval_precision as retrieval_precision
from metrix.retrieval._precision_recall import retrieval_r_precision as retrieval_r_precision
from metrix.retrieval._precision_recall import retrieval_recall as retrieval_recall
