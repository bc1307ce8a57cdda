"""``Metric``: an immutable value holding three pure functions over a state."""

from __future__ import annotations

import functools
import importlib
import inspect
import pickle
import re
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

import torch
from torch import Tensor

from metrix._core.state import is_state, reduce_ops

__all__ = ["ComputeFn", "InitFn", "Metric", "UpdateFn", "check_metric", "factory", "name_error"]

F = TypeVar("F", bound=Callable[..., "Metric"])
# what metric arithmetic combines a metric with: another metric, a number or a tensor
Number: TypeAlias = "int | float | bool | Tensor"


class InitFn(Protocol):
    """Builds an empty state on a device."""

    def __call__(self, *, device: torch.device | str | None = None) -> Any: ...


class UpdateFn(Protocol):
    """Folds a batch into a state and returns the new state (never mutates)."""

    def __call__(self, state: Any, *inputs: Any, **kwargs: Any) -> Any: ...


class ComputeFn(Protocol):
    """Turns a state into the metric's value."""

    def __call__(self, state: Any) -> Any: ...


def _state_error(name: str, expected: str, got: Any) -> TypeError:
    return TypeError(
        f"{name}: state must be a {expected} from this metric's init()/update(), got {type(got).__name__}; "
        "a state can only be used with the metric that built it"
    )


class Metric:
    """A metric as a triple of pure functions: ``init``, ``update``, ``compute``.

    Factories (``metrix.classification.multiclass_accuracy(num_classes=10)`` …) close
    over their configuration and return a ``Metric``; the value is immutable and
    hashable by identity, so it can be captured by ``torch.compile`` and shared freely.

    Attributes:
        name: a readable name, e.g. ``"binary_accuracy"``.
        key: identifies the state builder and its configuration. Metrics with the same
            non-``None`` key build identical states from identical inputs, so a
            :func:`metrix.collection` updates that state once for all of them.
        members: for a collection, its named member metrics; ``None`` otherwise.
        batch_merge: whether merging a one-batch state into an accumulated state equals
            updating it with that batch (true for every split-invariant metric; false for
            running windows). ``MetricModule.forward`` relies on it.
        higher_is_better: ``True`` when larger values are better (accuracy), ``False``
            when smaller are (errors, distances), ``None`` when neither applies (confusion
            matrices, curves). Set by the public factory (see :func:`factory`).

    A metric made by a public factory pickles (and deep-copies) as its factory and
    arguments, so ``copy.deepcopy``, ``pickle`` and process spawns work; a ``Metric``
    built by hand from module-level functions pickles by reference to them.

    Example:
        >>> import torch
        >>> from metrix.aggregation import mean
        >>> m = mean()
        >>> s = m.init()
        >>> s = m.update(s, torch.tensor([1.0, 3.0]))
        >>> m.compute(s)
        tensor(2., dtype=torch.float64)
        >>> m(torch.tensor([2.0, 4.0]))          # one-shot
        tensor(3., dtype=torch.float64)
    """

    __slots__ = (
        "_compute",
        "_init",
        "_origin",
        "_update",
        "batch_merge",
        "compute",
        "higher_is_better",
        "init",
        "key",
        "members",
        "name",
        "state_type",
        "update",
    )

    # The slots, declared for the type checker (values are set once in ``__init__``). The
    # state a metric works on is ``Any`` here: one ``Metric`` type serves every state class,
    # and the closures a factory passes in are typed by their own state class.
    name: str
    key: Hashable | None
    members: dict[str, Metric] | None
    batch_merge: bool
    higher_is_better: bool | None
    state_type: type
    init: Callable[..., Any]
    update: Callable[..., Any]
    compute: Callable[[Any], Any]
    _init: Callable[..., Any]
    _update: Callable[..., Any]
    _compute: Callable[[Any], Any]
    _origin: tuple[str, str, tuple[Any, ...], dict[str, Any]] | None

    def __init__(
        self,
        init: Callable[..., Any],
        update: Callable[..., Any],
        compute: Callable[[Any], Any],
        *,
        name: str,
        key: Hashable | None = None,
        state_type: type | None = None,
        members: dict[str, Metric] | None = None,
        batch_merge: bool = True,
        higher_is_better: bool | None = None,
    ) -> None:
        """Wrap three pure functions; ``state_type`` is inferred from ``init()`` if omitted."""
        example = init()
        if state_type is None:
            state_type = type(example)
        shapes = _fixed_shapes(example)
        s = object.__setattr__
        s(self, "name", name)
        s(self, "key", key)
        s(self, "members", members)
        s(self, "batch_merge", batch_merge)
        s(self, "higher_is_better", higher_is_better)
        s(self, "_origin", None)
        s(self, "state_type", state_type)
        s(self, "_init", init)
        s(self, "_update", update)
        s(self, "_compute", compute)
        s(self, "init", init)
        s(self, "update", self._make_update(update, state_type, name, shapes, _Signature(update, name)))
        s(self, "compute", self._make_compute(compute, state_type, name, shapes))

    @staticmethod
    def _make_update(
        update: Callable[..., Any],
        state_type: type,
        name: str,
        shapes: tuple[tuple[str, torch.Size], ...],
        signature: _Signature,
    ) -> Callable[..., Any]:
        where = f"{name}.update"
        if is_state_type(state_type):

            def guarded_update(state: Any, /, *inputs: Any, **kwargs: Any) -> Any:
                if type(state) is not state_type:
                    raise _state_error(where, state_type.__name__, state)
                _check_shapes(state, shapes, where)
                if kwargs and signature.keywords is not None:
                    signature.check_keywords(kwargs)
                try:
                    return update(state, *inputs, **kwargs)
                except Exception as err:  # name the metric in the message, keep the type and traceback
                    if not torch.compiler.is_compiling():  # dynamo cannot trace attribute writes on exceptions
                        name_error(err, where, signature.qualname)
                    raise

        else:

            def guarded_update(state: Any, /, *inputs: Any, **kwargs: Any) -> Any:
                if not isinstance(state, state_type):
                    raise _state_error(where, state_type.__name__, state)
                if kwargs and signature.keywords is not None:
                    signature.check_keywords(kwargs)
                try:
                    return update(state, *inputs, **kwargs)
                except Exception as err:
                    if not torch.compiler.is_compiling():
                        name_error(err, where, signature.qualname)
                    raise

        guarded_update.__name__ = f"{name}_update"
        guarded_update.__qualname__ = where
        guarded_update.__doc__ = update.__doc__
        return guarded_update

    @staticmethod
    def _make_compute(
        compute: Callable[[Any], Any], state_type: type, name: str, shapes: tuple[tuple[str, torch.Size], ...]
    ) -> Callable[[Any], Any]:
        where = f"{name}.compute"
        qualname = getattr(compute, "__qualname__", None)

        def guarded_compute(state: Any, /) -> Any:
            if not isinstance(state, state_type):
                raise _state_error(where, state_type.__name__, state)
            _check_shapes(state, shapes, where)
            try:
                return compute(state)
            except Exception as err:
                if not torch.compiler.is_compiling():
                    name_error(err, where, qualname)
                raise

        guarded_compute.__name__ = f"{name}_compute"
        guarded_compute.__qualname__ = where
        guarded_compute.__doc__ = compute.__doc__
        return guarded_compute

    def clone(self, *, prefix: str | None = None, postfix: str | None = None) -> Metric:
        """This metric, or for a :func:`metrix.collection` the same collection with another prefix/postfix.

        A ``Metric`` is immutable, so ``clone()`` returns the value itself; ``prefix`` and
        ``postfix`` (``None``: keep) rebuild a collection with new result names, as
        TorchMetrics' ``MetricCollection.clone(prefix=..., postfix=...)``.

        Example:
            >>> import metrix
            >>> from metrix.aggregation import mean
            >>> train = metrix.collection({"loss": mean()}, prefix="train/")
            >>> train.clone(prefix="val/").name
            'collection(loss)'
        """
        if prefix is None and postfix is None:
            return self
        if self.members is None or self._origin is None:
            raise TypeError(
                f"{self.name}.clone(prefix=..., postfix=...): only a metrix.collection names its results; "
                "wrap the metric in metrix.collection({name: metric}) to give it a prefixed name"
            )
        module, qualname, args, kwargs = self._origin
        changes = {k: v for k, v in (("prefix", prefix), ("postfix", postfix)) if v is not None}
        return _from_factory(module, qualname, args, {**kwargs, **changes})

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"Metric is immutable; build a new one instead of setting {key!r}")

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
        """One-shot value on a single batch: ``compute(update(init(), *inputs))``."""
        device = next((x.device for x in inputs if isinstance(x, Tensor)), None)
        return self.compute(self.update(self.init(device=device), *inputs, **kwargs))

    def __repr__(self) -> str:
        return f"Metric({self.name})"

    def __reduce__(self) -> Any:
        if self._origin is not None:
            return _from_factory, self._origin
        functions = {"init": self._init, "update": self._update, "compute": self._compute}
        local = [k for k, fn in functions.items() if not _picklable(fn)]
        if local:
            raise TypeError(
                f"Metric {self.name!r} cannot be pickled: its {', '.join(local)} function(s) are closures or "
                "lambdas. Decorate the function that builds it with @metrix.factory (the metric then pickles as "
                "that factory and its arguments), or build the Metric from module-level functions"
            )
        options = {
            "name": self.name,
            "key": self.key,
            "state_type": self.state_type,
            "members": self.members,
            "batch_merge": self.batch_merge,
            "higher_is_better": self.higher_is_better,
        }
        return _from_functions, (self._init, self._update, self._compute, options)

    def __copy__(self) -> Metric:
        return self  # immutable: a copy is the value itself

    def __deepcopy__(self, memo: dict[int, Any]) -> Metric:
        return self

    if TYPE_CHECKING:  # set below the class (metric arithmetic); declared here for the type checker

        def __add__(self, other: Metric | Number) -> Metric: ...
        def __radd__(self, other: Metric | Number) -> Metric: ...
        def __sub__(self, other: Metric | Number) -> Metric: ...
        def __rsub__(self, other: Metric | Number) -> Metric: ...
        def __mul__(self, other: Metric | Number) -> Metric: ...
        def __rmul__(self, other: Metric | Number) -> Metric: ...
        def __truediv__(self, other: Metric | Number) -> Metric: ...
        def __rtruediv__(self, other: Metric | Number) -> Metric: ...
        def __floordiv__(self, other: Metric | Number) -> Metric: ...
        def __rfloordiv__(self, other: Metric | Number) -> Metric: ...
        def __mod__(self, other: Metric | Number) -> Metric: ...
        def __rmod__(self, other: Metric | Number) -> Metric: ...
        def __pow__(self, other: Metric | Number) -> Metric: ...
        def __rpow__(self, other: Metric | Number) -> Metric: ...
        def __lt__(self, other: Metric | Number) -> Metric: ...
        def __le__(self, other: Metric | Number) -> Metric: ...
        def __gt__(self, other: Metric | Number) -> Metric: ...
        def __ge__(self, other: Metric | Number) -> Metric: ...
        def __neg__(self) -> Metric: ...
        def __abs__(self) -> Metric: ...
        def __pos__(self) -> Metric: ...


class _Signature:
    """What ``update`` accepts after the state, read once when the metric is built."""

    __slots__ = ("keywords", "qualname", "text", "where")

    def __init__(self, update: Callable[..., Any], name: str) -> None:
        self.where = f"{name}.update"
        self.qualname: str | None = getattr(update, "__qualname__", None)
        self.keywords: frozenset[str] | None = None  # None: any keyword is accepted (**kwargs)
        self.text = "(state, ...)"
        try:
            params = list(inspect.signature(update).parameters.values())[1:]  # after the state
        except (TypeError, ValueError):  # builtins or callables without a signature: accept anything
            return
        plain = (p.replace(annotation=inspect.Parameter.empty) for p in params)
        self.text = "(state" + "".join(f", {p}" for p in plain) + ")"
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
            kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
            self.keywords = frozenset(p.name for p in params if p.kind in kinds)

    def check_keywords(self, kwargs: dict[str, Any]) -> None:
        assert self.keywords is not None
        for key in kwargs:
            if key not in self.keywords:
                accepted = ", ".join(sorted(self.keywords)) or "none"
                raise TypeError(
                    f"{self.where}() got an unexpected keyword argument {key!r}; "
                    f"it takes {self.where}{self.text} (keywords accepted: {accepted})"
                )


# "f.<locals>.g() got an unexpected keyword argument ..." from a closure deeper in the update
_LOCAL_CALL = re.compile(r"^[\w.]*<locals>[\w.<>]*\(\) (?=got |missing |takes )")


def name_error(err: BaseException, where: str, qualname: str | None = None) -> None:
    """Prefix an exception's message with where it happened (``"binary_auroc.update: ..."``).

    A wrapper metric adds its name before the wrapped metric's
    (``"running(mean, window=3).update: mean.update() ..."``); an error a collection has
    already attributed to its member is left alone. A call error raised by a private
    closure the update forwarded its arguments to (``f.<locals>.scores() got an unexpected
    keyword argument``) is reworded to name ``where`` as well.

    The exception keeps its type and traceback (it is re-raised by the caller). A
    ``TypeError`` about the call itself (``update() missing 1 required positional
    argument``) is reworded to name ``where`` instead of the private function.
    """
    if getattr(err, "__metrix_member__", False):  # a collection already named its member
        return
    if len(err.args) != 1 or not isinstance(err.args[0], str) or err.args[0].startswith(where):
        return
    message = err.args[0]
    call = f"{qualname}() " if qualname else None
    local = _LOCAL_CALL.match(message)  # a closure the update forwarded its arguments to
    try:
        if call is not None and message.startswith(call):
            err.args = (f"{where}() {message[len(call) :]}",)
        elif local is not None:
            err.args = (f"{where}() {message[local.end() :]}",)
        else:
            err.args = (f"{where}: {message}",)
    except (AttributeError, TypeError):  # an exception type that refuses new attributes: leave it as it is
        return


def _picklable(fn: Any) -> bool:
    try:
        pickle.dumps(fn)
    except Exception:  # pickle raises several types (PicklingError, AttributeError, TypeError)
        return False
    return True


def _from_factory(module: str, qualname: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Metric:
    fn: Any = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    return fn(*args, **kwargs)


def _from_functions(init: Any, update: Any, compute: Any, options: dict[str, Any]) -> Metric:
    return Metric(init, update, compute, **options)


def factory(*, higher_is_better: bool | None) -> Callable[[F], F]:
    """Decorate a public metric factory: its metrics pickle as the call that built them.

    The decorated function is called as before; the :class:`Metric` it returns records
    ``(factory, args, kwargs)``, so ``pickle``, ``copy.deepcopy``, ``torch.save`` of a
    ``MetricModule`` and spawned processes rebuild it by calling the factory again (the
    arguments must pickle). It also sets ``Metric.higher_is_better`` (a factory declared
    ``None`` that returns another factory's metric, such as a ``task=`` dispatcher, keeps
    that metric's value).

    Args:
        higher_is_better: whether larger values are better (``None``: neither).

    Example:
        >>> import pickle, torch, metrix
        >>> @metrix.state
        ... class Hits:
        ...     count: torch.Tensor = metrix.leaf("sum")
        >>> @metrix.factory(higher_is_better=True)
        ... def hits(threshold: float = 0.5) -> metrix.Metric:
        ...     def init(*, device=None):
        ...         return Hits(torch.zeros((), dtype=torch.int64, device=device))
        ...     def update(s, preds):
        ...         return Hits(s.count + (preds > threshold).sum())
        ...     return metrix.Metric(init, update, lambda s: s.count, name="hits")
        >>> m = hits(0.2)
        >>> m.higher_is_better
        True
    """
    if higher_is_better not in (True, False, None):
        raise TypeError(f"factory(higher_is_better=...) must be True, False or None, got {higher_is_better!r}")

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def build(*args: Any, **kwargs: Any) -> Metric:
            metric = fn(*args, **kwargs)
            if not isinstance(metric, Metric):
                raise TypeError(f"{fn.__qualname__} is decorated with @factory but returned {type(metric).__name__}")
            object.__setattr__(metric, "_origin", (fn.__module__, fn.__qualname__, args, kwargs))
            # A dispatcher (``auroc(task=...)``) declared None keeps what the factory it called set.
            if higher_is_better is not None or metric.higher_is_better is None:
                object.__setattr__(metric, "higher_is_better", higher_is_better)
            return metric

        build.__metrix_factory__ = True  # type: ignore[attr-defined]  # a marker attribute on a function object
        return build  # type: ignore[return-value]  # functools.wraps gives _Wrapped; the signature is fn's (F)

    return decorate


def is_state_type(t: type) -> bool:
    """Whether ``t`` is a ``@metrix.state`` class (not a dict or tuple container)."""
    return hasattr(t, "__metrix_reduce_ops__")


def _fixed_shapes(example: Any) -> tuple[tuple[str, torch.Size], ...]:
    if not is_state(example):
        return ()
    return tuple((n, getattr(example, n).shape) for n, op in reduce_ops(example) if op in ("sum", "max", "min"))


def _check_shapes(state: Any, shapes: tuple[tuple[str, torch.Size], ...], where: str) -> None:
    for n, shape in shapes:
        got = getattr(state, n).shape
        if got != shape:
            raise ValueError(
                f"{where}: state field {n!r} has shape {tuple(got)} but this metric's init() gives {tuple(shape)}; "
                "the state was built by a metric with another configuration (or is a stacked ensemble state: "
                "use torch.func.vmap)"
            )


# ----------------------------------------------------------------------------- metric arithmetic
# ``m1 + m2``, ``m / 2``, ``abs(m)``, ``m > 0.5``...: each builds a metric with
# ``metrix.wrappers.compose`` (imported lazily: the wrappers import this module).


def _binary_operator(name: str, *, right: bool = False) -> Any:
    def operator_method(self: Metric, other: Any) -> Any:
        from metrix.wrappers._compose import BINARY, operate

        return operate(BINARY[name], self, other, right=right)

    operator_method.__name__ = name.replace("__", "__r", 1) if right else name
    return operator_method


def _unary_operator(name: str) -> Any:
    def operator_method(self: Metric) -> Any:
        from metrix.wrappers._compose import UNARY, operate

        return operate(UNARY[name], self, unary=True)

    operator_method.__name__ = name
    return operator_method


for _name in ("__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__"):
    setattr(Metric, _name, _binary_operator(_name))
    setattr(Metric, _name.replace("__", "__r", 1), _binary_operator(_name, right=True))
for _name in ("__lt__", "__le__", "__gt__", "__ge__"):
    setattr(Metric, _name, _binary_operator(_name))
for _name in ("__neg__", "__abs__", "__pos__"):
    setattr(Metric, _name, _unary_operator(_name))


def check_metric(metric: Any, where: str, arg: str = "metric") -> Metric:
    """``metric`` if it is a :class:`Metric`, else ``TypeError("<where>: <arg> must be a metrix.Metric, ...")``."""
    if not isinstance(metric, Metric):
        raise TypeError(f"{where}: {arg} must be a metrix.Metric, got {type(metric).__name__}")
    return metric
