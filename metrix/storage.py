"""Exact-sample storage for custom metrics that must keep their samples.

Most metrics keep fixed sums (``metrix.leaf("sum")``). A metric whose value needs every
sample (exact AUROC, rank correlations, retrieval) declares a ``metrix.leaf("cat")``
field and fills it with one of two forms:

* **growing storage** (:func:`cat_init`, :func:`cat_append`): a tuple of chunks merged like a
  binary counter, amortised O(batch) per append in eager code. It cannot be traced
  (its length is data-dependent): ``torch.compile`` refuses it at trace time.
* **a fixed-capacity** :class:`Buffer` (:func:`buffer_init`): ``data[capacity, ...]`` and a
  ``count``; appends write at ``count + arange(n)``, so it compiles once and vmaps. An
  overflow raises ``ValueError`` in eager and is recorded in ``count`` when traced.

``compute`` reads the samples with :func:`stored_values` (eager) or :func:`stored_masked`
(the full-length data and a validity mask: traces). ``merge`` and ``sync`` combine both
forms; a buffer's capacity is part of the metric's configuration (equal capacities merge and
sync, and the result keeps it).

Example:
    >>> import torch, metrix
    >>> from metrix.storage import CatStorage, cat_append, cat_init, stored_values
    >>> @metrix.state
    ... class Samples:
    ...     values: CatStorage = metrix.leaf("cat")
    >>> s = Samples(cat_init((), torch.float32))
    >>> s = Samples(cat_append(s.values, torch.tensor([1.0, 2.0])))
    >>> stored_values(metrix.merge(s, s).values)
    tensor([1., 2., 1., 2.])
"""

from metrix._core.state import Buffer as Buffer
from metrix._core.state import CatStorage as CatStorage
from metrix._core.state import buffer_init as buffer_init
from metrix._core.state import cat_append as cat_append
from metrix._core.state import cat_init as cat_init
from metrix._core.state import cat_len as cat_len
from metrix._core.state import stored_masked as stored_masked
from metrix._core.state import stored_values as stored_values

__all__ = ["Buffer", "CatStorage", "buffer_init", "cat_append", "cat_init", "cat_len", "stored_masked", "stored_values"]
