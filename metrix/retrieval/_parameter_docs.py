"""The docstring parts that retrieval factories share (see ``metrix._core.docstrings``).

Every retrieval metric is fed in the same two forms (the description's last paragraph) and
takes the same query options (``Options`` in ``_inputs``); the per-query metrics at a cut-off
(``top_k``) also return the same kind of value. A factory describes in its own docstring only
what is its own. Most retrieval examples rank the same seven documents of two queries; the
``*_EXAMPLE`` glossaries open their examples with them, so a docstring shows only its own call.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["CUTOFF", "CUTOFF_EXAMPLE", "CUTOFF_ONE_HIT_EXAMPLE", "QUERIES", "QUERIES_EXAMPLE"]

QUERIES = Glossary(
    {
        "empty_target_action": 'a query without a relevant document counts as ``"neg"`` (0),\n'
        '``"pos"`` (1), is skipped (``"skip"``), or raises (``"error"``).',
        "ignore_index": "documents whose target equals it are dropped.",
        "aggregation": '``"mean"``, ``"median"``, ``"min"``, ``"max"`` or a callable\n'
        "``f(values, dim=None)`` (flat form only for the last two).",
        "dense": "take ``(B, L)`` rows of whole queries instead of documents with query ids.",
        "capacity": "flat form: a fixed-capacity buffer of documents (compiles once, vmaps).",
        "validate_args": "check values (query ids, 0/1 targets, finite scores).",
    },
    intro="Flat form (default): ``update(state, preds, target, indexes)``, the query id of every\n"
    "document in ``indexes`` (by position or keyword); a query may span batches and ranks, its\n"
    "documents are stored and grouped in ``compute``. ``dense=True``: ``update(state, preds,\n"
    "target, mask=None)`` with ``(B, L)`` rows, each a whole query, scored in ``update``.",
)

CUTOFF = QUERIES | Glossary(
    {"top_k": "the cut-off ``k`` (``None``: every document); a sequence gives one value per k."},
    returns="A metric computing a float32 scalar (or ``(K,)`` for several ``top_k``).",
)


def _example(target: str) -> Glossary:
    """The opening lines of an example over seven documents of two queries, with relevance ``target``."""
    return Glossary(
        {},
        example=">>> import torch\n"
        ">>> from metrix.retrieval import {name}\n"
        ">>> preds = torch.tensor([0.2, 0.3, 0.5, 0.1, 0.3, 0.5, 0.2])\n"
        f">>> target = torch.tensor({target})\n"
        ">>> indexes = torch.tensor([0, 0, 0, 1, 1, 1, 1])",
    )


QUERIES_EXAMPLE = QUERIES | _example("[0, 0, 1, 1, 0, 1, 1]")
CUTOFF_EXAMPLE = CUTOFF | _example("[0, 0, 1, 1, 0, 1, 1]")
CUTOFF_ONE_HIT_EXAMPLE = CUTOFF | _example("[0, 0, 1, 1, 0, 0, 1]")  # hit rate, MRR: the first hit matters
