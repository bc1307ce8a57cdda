"""``metrix._core.docstrings.Glossary``: shared Args entries written from the signature."""

from __future__ import annotations

import inspect

import pytest

import metrix.classification as cls
from metrix._core.docstrings import Glossary

SHARED = Glossary({"threshold": "probability above which a prediction counts as positive.", "top_k": "hits."})


def test_own_entry_wins_and_order_follows_the_signature():
    @SHARED
    def f(scale: float, threshold: float = 0.5, *, top_k: int = 1):
        """Summary.

        Args:
            top_k: the ``k`` highest scores,
                a continuation line.
            scale: a factor.

        Returns:
            A number.
        """

    assert (
        f.__doc__
        == inspect.cleandoc(
            """Summary.

        Args:
            scale: a factor.
            threshold: probability above which a prediction counts as positive.
            top_k: the ``k`` highest scores,
                a continuation line.

        Returns:
            A number.
        """
        )
        + "\n"
    )


def test_args_section_goes_before_the_first_section_when_absent():
    @SHARED
    def f(threshold: float = 0.5):
        """Summary.

        Example:
            >>> 1
            1
        """

    assert f.__doc__.split("\n\n")[1].startswith("Args:\n    threshold: probability")
    assert "Example:\n    >>> 1" in f.__doc__


def test_undocumented_parameter_is_an_error_naming_it():
    with pytest.raises(ValueError, match=r"no Args entry for \['missing'\]"):

        @SHARED
        def f(threshold: float = 0.5, missing: int = 0):
            """Summary."""


def test_entry_for_a_name_the_signature_lacks_is_an_error():
    with pytest.raises(ValueError, match=r"describes \['gone'\]"):

        @SHARED
        def f(threshold: float = 0.5):
            """Summary.

            Args:
                gone: no longer a parameter.
            """


def test_or_adds_and_overrides_entries():
    more = SHARED | {"threshold": "other.", "extra": "new."}
    assert more.entries == {"threshold": "other.", "top_k": "hits.", "extra": "new."}
    assert SHARED.entries["threshold"].startswith("probability")


def test_catalogue_factories_document_every_parameter():
    # a filled factory (pickled as its factory, wrapped by @factory) keeps the written text
    doc = cls.multiclass_recall.__doc__
    names = [p for p in inspect.signature(cls.multiclass_recall).parameters]
    args = doc.split("Args:\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split(":")[0].strip() for line in args.splitlines() if not line.startswith("        ")] == names


def test_returns_is_written_after_args_only_where_the_docstring_has_none():
    shared = SHARED | Glossary({}, returns="A metric over labels,\na float64 scalar.")

    @shared
    def f(threshold: float = 0.5):
        """Summary.

        Example:
            >>> 1
            1
        """

    @shared
    def g(threshold: float = 0.5):
        """Summary.

        Returns:
            Its own.
        """

    assert "Args:\n    threshold: probability above which a prediction counts as positive.\n\n" in f.__doc__
    assert "\n\nReturns:\n    A metric over labels,\n    a float64 scalar.\n\nExample:\n    >>> 1" in f.__doc__
    assert g.__doc__.endswith("Returns:\n    Its own.\n") and g.__doc__.count("Returns:") == 1


def test_intro_ends_the_description():
    @Glossary({"threshold": "t."}, intro="Fed as ``update(state, x)``,\nbatch by batch.")
    def f(threshold: float = 0.5):
        """Summary.

        More about it.

        Example:
            >>> 1
            1
        """

    intro = "Fed as ``update(state, x)``,\nbatch by batch."
    assert f.__doc__.startswith(f"Summary.\n\nMore about it.\n\n{intro}\n\nArgs:\n")


def test_a_factory_without_parameters_gets_no_empty_args_section():
    @Glossary({"threshold": "t."}, returns="A metric.")
    def f():
        """Summary.

        Example:
            >>> 1
            1
        """

    assert f.__doc__ == "Summary.\n\nReturns:\n    A metric.\n\nExample:\n    >>> 1\n    1\n"


def test_example_opens_every_example_section_with_the_factory_name():
    shared = Glossary({"threshold": "t."}, example=">>> import torch\n>>> from metrix.x import {name}\n>>> x = {1: 2}")

    @shared
    def hits(threshold: float = 0.5):
        """Summary.

        Example:
            >>> hits()(x)
            1
        """

    opening = "Example:\n    >>> import torch\n    >>> from metrix.x import hits\n    >>> x = {1: 2}\n"
    assert hits.__doc__.endswith(opening + "    >>> hits()(x)\n    1\n")
    assert (SHARED | shared).example == shared.example and (shared | SHARED).example == shared.example


def test_example_without_an_example_section_fails_at_import():
    with pytest.raises(ValueError, match="Example"):

        @Glossary({"threshold": "t."}, example=">>> import torch")
        def f(threshold: float = 0.5):
            """Summary."""
