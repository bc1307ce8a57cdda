"""Clipped n-gram matches of a whole batch at once, with integer tensors instead of Counters.

BLEU needs, for each order ``k``, the sum over sentences of
``sum_g min(count_pred(g), max_r count_ref_r(g))`` and the number of predicted
``k``-grams. Counting each sentence's n-grams in Python dictionaries (sacrebleu,
TorchMetrics) costs a tuple and a hash per n-gram; here every token becomes an integer
once, and each order is a few vector operations over the whole batch:

1. tokens get ids from one dictionary; a unigram's key is ``sentence * V + token``, so
   n-grams of different sentences never share an id;
2. the ``k``-gram starting at position ``t`` has key ``id_{k-1}[t] * V + token[t+k-1]``
   (exact: no hashing, no collisions), and ``torch.unique`` turns keys into dense ids;
3. counting ids of predictions, and the per-reference counts reduced with ``amax`` over
   a sentence's references, gives both sides of the clipped match.

The counts are exact integers, identical to the dictionary version (the tests compare
them with sacrebleu's and TorchMetrics' statistics).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["bleu_statistics", "closest_reference_length"]


def closest_reference_length(pred_len: int, ref_lens: Sequence[int]) -> int:
    """The reference length closest to ``pred_len``; the first such reference on ties (TorchMetrics)."""
    best = ref_lens[0]
    best_diff = abs(pred_len - best)
    for length in ref_lens[1:]:
        diff = abs(pred_len - length)
        if diff < best_diff:
            best, best_diff = length, diff
    return best


def bleu_statistics(
    preds: Sequence[Sequence[str]], refs: Sequence[Sequence[Sequence[str]]], n_gram: int
) -> tuple[list[int], list[int], int, int]:
    """Corpus BLEU statistics of tokenized sentences.

    Args:
        preds: the tokens of each prediction.
        refs: for each prediction, the tokens of each of its (at least one) references.
        n_gram: the largest n-gram order.

    Returns:
        ``(matches, totals, pred_len, ref_len)``: per order ``k = 1..n_gram`` the clipped
        matches and the number of predicted ``k``-grams, the total prediction length and
        the sum of each prediction's closest reference length.
    """
    pred_len = sum(len(p) for p in preds)
    ref_len = sum(closest_reference_length(len(p), [len(r) for r in rs]) for p, rs in zip(preds, refs))
    totals = [sum(max(len(p) - k + 1, 0) for p in preds) for k in range(1, n_gram + 1)]
    if not preds:
        return [0] * n_gram, totals, pred_len, ref_len

    # rows: every prediction, then every reference; `sentence` maps a row to its prediction
    rows: list[Sequence[str]] = list(preds)
    sentence = list(range(len(preds)))
    for i, rs in enumerate(refs):
        rows.extend(rs)
        sentence.extend([i] * len(rs))
    vocab: dict[str, int] = {}
    setdefault = vocab.setdefault
    ids = [setdefault(tok, len(vocab)) for row in rows for tok in row]
    if not ids:
        return [0] * n_gram, totals, pred_len, ref_len
    token = torch.tensor(ids, dtype=torch.int64)
    lengths = torch.tensor([len(r) for r in rows], dtype=torch.int64)
    row_of = torch.repeat_interleave(torch.arange(len(rows)), lengths)
    starts = torch.cumsum(lengths, 0) - lengths
    remaining = lengths[row_of] - (torch.arange(len(ids)) - starts[row_of])  # tokens left in the row, this one included
    is_pred = row_of < len(preds)
    one_reference_each = len(rows) == 2 * len(preds)
    size = len(vocab) + 1

    matches = []
    # ids of the (k-1)-grams by start position (-1 where fewer than k-1 tokens are left)
    previous = torch.tensor(sentence, dtype=torch.int64)[row_of]
    for k in range(1, n_gram + 1):
        at = (remaining >= k).nonzero().squeeze(1)
        if at.numel() == 0:
            matches.extend([0] * (n_gram - k + 1))
            break
        # the (k-1)-gram at each start, extended by the token k-1 places on
        gram = previous[at] * size + token[at + (k - 1)]
        uniq, inverse = torch.unique(gram, return_inverse=True)
        groups = uniq.numel()
        from_pred = is_pred[at]
        pred_count = torch.bincount(inverse[from_pred], minlength=groups)
        if one_reference_each:
            ref_max = torch.bincount(inverse[~from_pred], minlength=groups)
        else:
            ref_rows = row_of[at][~from_pred]
            row_gram, per_row = torch.unique(ref_rows * groups + inverse[~from_pred], return_counts=True)
            ref_max = torch.zeros(groups, dtype=torch.int64).scatter_reduce(
                0, row_gram % groups, per_row, reduce="amax"
            )
        matches.append(int(torch.minimum(pred_count, ref_max).sum()))
        previous = torch.full((len(ids),), -1, dtype=torch.int64).index_put((at,), inverse)
    return matches, totals, pred_len, ref_len
