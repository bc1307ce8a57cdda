"""The empty-state table of docs/guide/empty-state.md is what every catalogue metric computes on ``init()``."""

from __future__ import annotations

import torch

import metrix
from metrix import classification as mc
from tests.tools import empty_state_table


def test_the_documented_table_is_what_init_computes() -> None:
    # every catalogue Case computed on init() (about 7 s on one core), described and grouped
    assert empty_state_table.page_table() == empty_state_table.table(), (
        "docs/guide/empty-state.md is out of date: run `python -m tests.tools.empty_state_table --write` "
        "and review the diff"
    )


def test_every_family_of_the_catalogue_has_rows() -> None:
    families = {family for family, _, _ in empty_state_table.rows()}
    assert families == set(empty_state_table.FAMILIES)


def test_descriptions() -> None:
    d = empty_state_table.describe
    assert d(torch.tensor(float("nan"))) == "NaN"
    assert d(torch.tensor(0.5)) == "0.5"
    assert d(torch.zeros(0)) == "empty tensor"
    assert d(torch.tensor([1.0, float("nan")])) == "tensor of 1 / NaN"
    assert d(torch.linspace(0, 1, 7)) == "tensor of values in [0, 1]"
    assert d((torch.tensor(0), [torch.ones(2)])) == "(0, list of tensor of 1)"
    assert d({"a": torch.tensor(-1.0), "b": torch.zeros(0)}) == "dict of -1 / empty tensor"
    assert empty_state_table.outcome(mc.binary_auroc()) == "0 + warning"
    assert empty_state_table.outcome(metrix.regression.r2_score()) == "raises ValueError"
