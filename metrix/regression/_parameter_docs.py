"""The docstring parts that regression factories share (see ``metrix._core.docstrings``).

``SCALAR``: metrics with one float64 value; ``MEAN_OUTPUTS``: means with one value per output
column; ``CORRELATION``: the correlation coefficients; ``DIVERGENCE``: KL and JS divergences.
A factory describes in its own docstring only what is its own.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["CORRELATION", "DIVERGENCE", "MEAN_OUTPUTS", "SCALAR"]

SCALAR = Glossary(
    {"validate_args": "check that inputs are finite (shapes are always checked)."},
    returns="A metric whose value is a float64 scalar.",
)

MEAN_OUTPUTS = SCALAR | Glossary(
    {},
    returns="A metric whose value is a float64 scalar, or a ``(num_outputs,)`` vector.",
)

CORRELATION = Glossary(
    {
        "num_outputs": "number of outputs; inputs are ``(N,)`` for 1, else ``(N, num_outputs)``.",
        "validate_args": "check input values (NaN/inf); shapes are always checked.",
        "capacity": (
            "keep at most this many samples in a fixed-capacity buffer (compiles\n"
            "once, vmaps); ``None`` keeps growing eager storage."
        ),
    },
    returns="A metric computing the coefficient (float64; a scalar, or ``(num_outputs,)``).",
)

DIVERGENCE = Glossary(
    {
        "log_prob": "``True`` if ``p`` and ``q`` hold log-probabilities (not normalised).",
        "reduction": (
            '``"mean"`` (default) or ``"sum"`` over all rows seen, or ``"none"`` /\n'
            "``None`` for one value per row in arrival order (a ``cat`` state)."
        ),
    },
    returns='A metric whose value is a float64 scalar, or an ``(N,)`` vector for ``"none"``.',
)
