"""Public factories made from a family's template methods.

Sibling factories (``binary_precision``, ``binary_recall``, ``binary_specificity``…) share
their signature and their body apart from a score function, a name and a docstring. A family
class writes each such signature and body once, as a method; :func:`publish` turns one of
its bound methods into a public factory that cannot be told from a hand-written one:

* a function named ``name`` whose ``__module__`` and ``__qualname__`` say where it is
  importable, so ``@factory`` metrics pickle by reference to it;
* its own code object, renamed, so that a wrong call reads ``binary_precision() missing 1
  required positional argument…`` (the method's ``self`` is bound, so ``inspect.signature``
  is the method's signature without it); too many positional arguments are counted
  without that ``self``, as for a hand-written function;
* its docstring ``doc``, whose ``Args:`` section a :class:`~metrix._core.docstrings.Glossary`
  may write, and ``@factory(higher_is_better=...)``.

Siblings whose signatures differ only in the name of one argument (the operating points'
``min_specificity``, ``min_recall``…) share a template whose parameter :func:`renamed` gives
each sibling's name before it is published (mypy then types such a factory as taking any
arguments: the template's name is not the public one).

mypy types the result as the bound method, so callers keep every parameter's type. The API
reference documents these factories as functions from the live objects
(``docs/_griffe_reexports.py``); doctest collects them by their ``__module__``, and
``tests/test_factory_signatures.py`` runs every public factory's ``Example:`` besides.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from metrix._core.docstrings import Glossary
from metrix._core.metric import factory

__all__ = ["publish", "renamed"]

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


def publish(
    method: F,
    name: str,
    module: str,
    doc: str,
    *,
    higher_is_better: bool | None,
    glossary: Glossary | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> F:
    """The public factory ``module.name`` made of a family's bound template ``method``.

    Args:
        method: a bound method of a family instance (its body reads the family's fields).
        name: the public name, as the module that assigns it spells it.
        module: that module's ``__name__``.
        doc: the docstring (an ``Args:`` section may be left to ``glossary``).
        higher_is_better: as for ``@factory``.
        glossary: writes the ``Args:`` entries the docstring leaves out.
        defaults: ``{parameter: value}``: defaults of this factory that differ from the template's
            (a sibling whose TorchMetrics signature differs only in a default).

    Returns:
        The decorated factory; calling it calls ``method``.
    """
    if not isinstance(method, types.MethodType):
        raise TypeError(f"publish() takes a bound method, got {type(method).__name__}")
    template = method.__func__
    code = template.__code__.replace(co_name=name, co_qualname=name)
    positional, keyword = _defaults(template.__code__, template.__defaults__, template.__kwdefaults__, defaults)
    fn = types.FunctionType(code, template.__globals__, name, positional, template.__closure__)
    fn.__kwdefaults__ = keyword
    fn.__annotations__ = dict(template.__annotations__)
    fn.__module__, fn.__qualname__, fn.__doc__ = module, name, doc
    if glossary is not None:
        glossary(fn)
    bound = types.MethodType(fn, method.__self__)
    most = code.co_argcount - 1  # positional parameters, the bound self not counted
    fewest = most - len(template.__defaults__ or ())

    @functools.wraps(bound)
    def call(*args: Any, **kwargs: Any) -> Any:
        if len(args) > most:  # Python's own message would count the bound self as well
            raise TypeError(_too_many_positional(name, fewest, most, len(args)))
        return bound(*args, **kwargs)

    public: Any = factory(higher_is_better=higher_is_better)(call)
    public.__metrix_published__ = True  # a marker read by the docs' griffe extension
    return cast(F, public)  # the bound method's type: what callers see


def _defaults(
    code: types.CodeType,
    positional: tuple[Any, ...] | None,
    keyword: dict[str, Any] | None,
    changed: Mapping[str, Any] | None,
) -> tuple[tuple[Any, ...] | None, dict[str, Any] | None]:
    """A template's positional and keyword-only defaults, with ``changed`` values put in by parameter name."""
    values, keywords = list(positional or ()), dict(keyword or {})
    first = code.co_argcount - len(values)  # the first positional parameter with a default
    names = code.co_varnames[first : code.co_argcount]
    for parameter, value in (changed or {}).items():
        if parameter in names:
            values[names.index(parameter)] = value
        elif parameter in keywords:
            keywords[parameter] = value
        else:
            raise ValueError(f"publish(): defaults names {parameter!r}, which has no default in {code.co_qualname}")
    return (tuple(values) or None), (keywords or None)


def renamed(method: Callable[..., R], rename: Mapping[str, str]) -> Callable[..., R]:
    """The bound template ``method`` with parameters renamed ``{template name: public name}``.

    The code object's own names are replaced (its bytecode reads locals by index), so the
    signature, keyword calls, ``locals()`` and Python's argument errors all use the new names.

    Args:
        method: a bound method of a family instance.
        rename: the new name of each renamed parameter.

    Returns:
        A bound method of the same instance, for :func:`publish`.
    """
    if not isinstance(method, types.MethodType):
        raise TypeError(f"renamed() takes a bound method, got {type(method).__name__}")
    func = method.__func__
    code = func.__code__
    where = func.__qualname__
    count = code.co_argcount + code.co_kwonlyargcount
    parameters = code.co_varnames[:count]
    unknown = sorted(set(rename) - set(parameters))
    if unknown:
        raise TypeError(f"renamed({where}): the template has no parameter {unknown}")
    if set(rename) & set(code.co_cellvars):  # an inner function would read the cell by its old name
        raise TypeError(f"renamed({where}): a renamed parameter may not be read by an inner function")
    names = tuple(rename.get(v, v) for v in parameters) + code.co_varnames[count:]
    if len(set(names)) != len(names):
        raise TypeError(f"renamed({where}): renaming {dict(rename)} repeats a name")
    fn = types.FunctionType(
        code.replace(co_varnames=names), func.__globals__, func.__name__, func.__defaults__, func.__closure__
    )
    fn.__kwdefaults__ = {rename.get(k, k): v for k, v in (func.__kwdefaults__ or {}).items()} or None
    fn.__annotations__ = {rename.get(k, k): v for k, v in func.__annotations__.items()}
    fn.__qualname__ = func.__qualname__
    return types.MethodType(fn, method.__self__)


def _too_many_positional(name: str, fewest: int, most: int, given: int) -> str:
    """Python's ``TypeError`` text for ``given`` positional arguments to a function that takes ``fewest..most``."""
    takes = (
        f"from {fewest} to {most} positional arguments"
        if fewest < most
        else (f"{most} positional argument{'' if most == 1 else 's'}")
    )
    return f"{name}() takes {takes} but {given} {'was' if given == 1 else 'were'} given"
