"""Combinators: metrics built from other metrics."""

from metrix.wrappers._running import running as running
