"""Introspection of ``sync``: the planned and the issued number of collectives.

Example:
    >>> import metrix
    >>> from metrix.aggregation import mean, max as max_
    >>> metrix.debug.sync_collectives(metrix.collection({"m": mean(), "hi": max_()}).init())
    3
    >>> isinstance(metrix.debug.collectives_issued(), int)
    True
"""

from metrix._core.sync import collectives_issued as collectives_issued
from metrix._core.sync import sync_collectives as sync_collectives

__all__ = ["collectives_issued", "sync_collectives"]
