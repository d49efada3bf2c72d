"""Parameter sweeps: run a function over a grid of parameters, serially or on any executor.

A course exercise or a study often asks "how does the output rate change with
``I_tau_mem`` and the input weight?". :func:`sweep` calls a function once per
point of a grid, shows a progress bar (tqdm), and returns the results **in
grid order**, whatever order the points finish in:

>>> from dynapse_edu.sweep import sweep
>>> def rate(I_tau_mem, weight):
...     return I_tau_mem * 1e12 + weight  # stands for a simulation
>>> sweep(rate, {"I_tau_mem": [5e-12, 10e-12], "weight": [1, 2]}, progress=False)
[6.0, 7.0, 11.0, 12.0]

The grid is a dict of value lists (their Cartesian product, the last name
varying fastest, as :func:`itertools.product`) or an explicit list of dicts.
``executor`` is any :class:`concurrent.futures.Executor`: a
``ProcessPoolExecutor`` uses the cores of one machine; a ``dask.distributed``
client's ``client.get_executor()`` spreads a class's sweep over a cluster. The
function (and its results) must then be picklable: define it at module level.

A point that raises stops the sweep with a :class:`SweepPointError` naming
that point's parameters (the original exception is its ``error`` attribute), or,
with ``errors="return"``, leaves a :class:`Failed` in its place and goes on.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, as_completed
from typing import Any

from .errors import DynapseError, ParameterError


class SweepPointError(DynapseError):
    """A point of a sweep failed.

    Parameters
    ----------
    index : int
        The point's place in the grid (:func:`grid_points` order).
    params : Mapping
        The point's parameters.
    error : BaseException
        What the point raised (also the exception's ``__cause__``).

    Examples
    --------
    >>> err = SweepPointError(3, {"a": 2}, ValueError("a = 2 is bad"))
    >>> str(err)
    "sweep point 3 with parameters {'a': 2} failed: ValueError: a = 2 is bad"
    """

    def __init__(self, index: int, params: Mapping[str, Any], error: BaseException) -> None:
        self.index = index
        self.params = dict(params)
        self.error = error
        super().__init__(f"sweep point {index} with parameters {self.params} failed: {type(error).__name__}: {error}")

    def __reduce__(self):  # picklable, so that it crosses process boundaries intact
        return (SweepPointError, (self.index, self.params, self.error))


@dataclasses.dataclass(frozen=True)
class Failed:
    """The place of a failed point in the results of ``sweep(..., errors="return")``; it is false.

    Attributes
    ----------
    index : int
        The point's place in the grid.
    params : dict
        The point's parameters.
    error : BaseException
        What the point raised.
    """

    index: int
    params: dict[str, Any]
    error: BaseException

    def __bool__(self) -> bool:
        return False


def grid_points(grid: Mapping[str, Iterable[Any]] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The points of a grid as a list of ``{name: value}`` dicts, in grid order.

    Parameters
    ----------
    grid : Mapping or Sequence[Mapping]
        ``{name: values}`` (their Cartesian product, the last name varying
        fastest, as :func:`itertools.product`) or an explicit list of ``{name: value}`` dicts.

    Returns
    -------
    list of dict
        One dict per point (copies: changing them does not change ``grid``).

    Raises
    ------
    ParameterError
        If a key is not a str, a value is not a list of values, or a point is not a dict;
        or if the grid has no point (``{}``, ``{"a": []}``, ``[]``): an empty sweep is a slip, not a result.

    Examples
    --------
    >>> grid_points({"a": [1, 2], "b": ["x", "y"]})
    [{'a': 1, 'b': 'x'}, {'a': 1, 'b': 'y'}, {'a': 2, 'b': 'x'}, {'a': 2, 'b': 'y'}]
    """
    if isinstance(grid, Mapping):
        names = list(grid)
        if not names:
            raise ParameterError("grid = {} has no parameter: give {name: [values]} with at least one value each")
        for name in names:
            if not isinstance(name, str):
                raise ParameterError(f"grid keys must be parameter names (str), got {name!r}")
        values = []
        for name in names:
            v = grid[name]
            if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
                raise ParameterError(f"grid[{name!r}] must be a list of values, got {v!r}")
            values.append(list(v))
            if not values[-1]:
                raise ParameterError(f"grid[{name!r}] = {v!r} has no value: the grid would have no point")
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]
    if isinstance(grid, Sequence) and not isinstance(grid, (str, bytes)):
        if not grid:
            raise ParameterError(f"grid = {grid!r} has no point: give a list of at least one {{name: value}} dict")
        points = []
        for k, point in enumerate(grid):
            if not isinstance(point, Mapping):
                raise ParameterError(f"grid point {k} must be a dict of parameters, got {point!r}")
            points.append(dict(point))
        return points
    raise ParameterError(f"grid must be a dict of value lists or a list of dicts, got {type(grid).__name__}")


def _call(func: Callable[..., Any], index: int, params: dict[str, Any], fixed: dict[str, Any]) -> Any:
    """Run one point; wrap a failure so that it names the point (also across processes)."""
    try:
        return func(**fixed, **params)
    except Exception as error:  # reported with the point's parameters
        raise SweepPointError(index, params, error) from error


def _progress_bar(total: int, desc: str | None, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional (dynapse-edu[fast]); no bar without it
        return None
    return tqdm(total=total, desc=desc, unit="point")


def sweep(
    func: Callable[..., Any],
    grid: Mapping[str, Iterable[Any]] | Sequence[Mapping[str, Any]],
    *,
    executor: Executor | None = None,
    fixed: Mapping[str, Any] | None = None,
    errors: str = "raise",
    progress: bool = True,
    desc: str | None = None,
) -> list[Any]:
    """Call ``func(**fixed, **point)`` for every point of ``grid``; the results in grid order.

    Parameters
    ----------
    func : Callable
        The function of one point (keyword arguments named as the grid's keys).
    grid : Mapping or Sequence[Mapping]
        ``{name: values}`` (Cartesian product, last name fastest) or a list of ``{name: value}`` dicts.
    executor : concurrent.futures.Executor or None
        ``None`` runs serially in this process; otherwise any
        :class:`concurrent.futures.Executor` (``ProcessPoolExecutor``,
        ``ThreadPoolExecutor``, ``dask.distributed.Client.get_executor()``...).
    fixed : Mapping or None
        Keyword arguments passed to every call (e.g. ``duration``, ``method``).
    errors : str
        ``"raise"`` (default): the first failing point (in completion order)
        raises :class:`SweepPointError` with its parameters, and points not yet
        started are cancelled. ``"return"``: a failed point gives a
        :class:`Failed` in its place and the sweep goes on.
    progress : bool
        Show a tqdm progress bar (if tqdm is installed).
    desc : str or None
        Label of the progress bar.

    Returns
    -------
    list
        ``func``'s return value for every point, in grid order (a :class:`Failed`
        in the place of a failed point with ``errors="return"``).

    Raises
    ------
    SweepPointError
        With ``errors="raise"``, for the first point that fails (its parameters in the message).
    ParameterError
        For a bad or empty grid, ``errors`` value, executor or flag, or a parameter both in ``fixed``
        and in the grid. Nothing runs then.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from dynapse_edu import experiments
    >>> def rate(I_const, duration):  # Hz, one F-I point
    ...     return float(experiments.fi_curve([I_const], duration=duration)[0])
    >>> with ThreadPoolExecutor(2) as pool:
    ...     sweep(rate, {"I_const": [500e-12, 1e-9]}, fixed={"duration": 0.1}, executor=pool, progress=False)
    [30.0, 80.0]
    >>> sweep(lambda a: 1 / a, {"a": [1, 0]}, errors="return", progress=False)[1]
    Failed(index=1, params={'a': 0}, error=ZeroDivisionError('division by zero'))
    """
    if not callable(func):
        raise ParameterError(f"func must be callable, got {func!r}")
    if errors not in ("raise", "return"):
        raise ParameterError(f"errors = {errors!r}; allowed: 'raise', 'return'")
    if not isinstance(progress, bool):
        raise ParameterError(f"progress = {progress!r} must be True or False")
    if desc is not None and not isinstance(desc, str):
        raise ParameterError(f"desc = {desc!r} must be a str (the progress bar's label) or None")
    if fixed is not None and not isinstance(fixed, Mapping):
        raise ParameterError(f"fixed = {fixed!r:.100} must be a dict of keyword arguments or None")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ParameterError(f"executor must be a concurrent.futures.Executor (with .submit), got {executor!r}")
    points = grid_points(grid)
    fixed = dict(fixed or {})
    overlap = sorted(set(fixed) & set().union(*points))
    if overlap:
        raise ParameterError(f"parameters {overlap} are both in fixed and in the grid; give each once")
    results: list[Any] = [None] * len(points)
    bar = _progress_bar(len(points), desc, progress)

    def done(index: int, value: Any) -> None:
        results[index] = value
        if bar is not None:
            bar.update(1)

    def failed(error: SweepPointError) -> None:
        if errors == "raise":
            raise error
        done(error.index, Failed(error.index, error.params, error.error))

    try:
        if executor is None:
            for index, params in enumerate(points):
                try:
                    done(index, _call(func, index, params, fixed))
                except SweepPointError as error:
                    failed(error)
        else:
            futures: dict[Future, int] = {
                executor.submit(_call, func, index, params, fixed): index for index, params in enumerate(points)
            }
            try:
                for future in as_completed(futures):
                    index = futures[future]
                    try:
                        done(index, future.result())
                    except SweepPointError as error:
                        failed(error)
                    except Exception as error:  # the executor itself failed (pickling, a lost worker...)
                        failed(SweepPointError(index, points[index], error))
            finally:
                for future in futures:
                    future.cancel()
    finally:
        if bar is not None:
            bar.close()
    return results


__all__ = ["sweep", "grid_points", "SweepPointError", "Failed"]
