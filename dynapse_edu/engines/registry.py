"""Choosing an integrator: ``method="reference"`` (solve_ivp, exact events) or others.

Every experiment and :meth:`~dynapse_edu.hardware.chip.Chip.run` take ``method=``;
this module maps the name onto the function that integrates a
:class:`~dynapse_edu.core.network.Network`. New engines register themselves with
:func:`register_method`.

>>> sorted(METHODS)
['fast', 'reference']
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from ..core.network import Network, check_duration
from ..core.result import Record, Result
from ..errors import ParameterError
from .reference import run_reference

#: What an integrator is: ``integrator(net, duration, record) -> Result`` (duration in s, already checked).
Integrator = Callable[[Network, float, Record], Result]


def _run_fast(net: Network, duration: float, record: Record) -> Result:
    """``method="fast"``: :func:`dynapse_edu.engines.fast.run_fast`, imported on first use."""
    # Lazy on purpose (the optional-dependency case): the fast engine imports numba, which is optional
    # (dynapse-edu[fast]) and takes about a second to import; `import dynapse_edu` must stay light and
    # work without it (tests/engines/test_fast.py::test_import_stays_light).
    from .fast import run_fast

    return run_fast(net, duration, record)


#: The integrators by name: ``"reference"`` (:func:`~dynapse_edu.engines.reference.run_reference`) and
#: ``"fast"`` (:func:`~dynapse_edu.engines.fast.run_fast`), and any added by :func:`register_method`.
METHODS: dict[str, Integrator] = {"reference": run_reference, "fast": _run_fast}


def register_method(name: str, integrator: Integrator) -> None:
    """Make ``integrator`` available as ``method=name`` (in :func:`simulate`, the experiments and ``Chip.run``).

    Parameters
    ----------
    name : str
        The name to pass as ``method``; an existing name is replaced.
    integrator : callable
        ``integrator(net, duration, record) -> Result``: a
        :class:`~dynapse_edu.core.network.Network`, the duration in s (checked by
        :func:`simulate`) and a :class:`~dynapse_edu.core.result.Record`. An integrator that also accepts a
        keyword ``progress`` (True, False or None, as :func:`simulate`'s) receives it; others are called without.

    Raises
    ------
    ParameterError
        If ``name`` is not a non-empty string or ``integrator`` is not callable.

    Examples
    --------
    An integrator that runs the reference one and says so:

    >>> def loud(net, duration, record):
    ...     print(f"integrating {net.n} neuron(s) for {duration} s")
    ...     return run_reference(net, duration, record)
    >>> register_method("loud", loud)
    >>> "loud" in METHODS
    True
    >>> del METHODS["loud"]
    """
    if not isinstance(name, str) or not name:
        raise ParameterError(f"a method name must be a non-empty string, got {name!r}")
    if not callable(integrator):
        raise ParameterError(f"the integrator for method {name!r} must be callable, got {integrator!r}")
    METHODS[name] = integrator


def simulate(
    net: Network, duration: float, method: str = "reference", record: Record | None = None,
    progress: bool | None = None,
) -> Result:
    """Integrate ``net`` for ``duration`` with the integrator named ``method``.

    Parameters
    ----------
    net : Network
        What to simulate (:meth:`~dynapse_edu.hardware.chip.Chip.build` makes one).
    duration : float
        Simulated time, s, in (0, :data:`~dynapse_edu.core.network.MAX_DURATION`].
    method : str
        A name of :data:`METHODS`: ``"reference"`` (default) or ``"fast"``.
    record : Record, optional
        What to record (default :class:`~dynapse_edu.core.result.Record`: every neuron, 0.1 ms grid,
        and at every spike).
    progress : bool or None
        A progress bar over the simulated time (tqdm, if installed), for integrators that show one (the
        reference integrator; the fast engine runs as one compiled call and shows none): True always,
        False never, None (default) only once a run has taken more than 2 s
        (:func:`~dynapse_edu.engines.limits.progress_bar`).

    Returns
    -------
    Result
        Times (s), traces (A) and spike times (s) per neuron.

    Raises
    ------
    ParameterError
        For a duration out of range, an unknown method (the message lists the known ones) or a
        ``progress`` that is not True, False or None.
    RunInterrupted
        On Ctrl-C during a reference run (:class:`~dynapse_edu.engines.limits.RunInterrupted`, a
        KeyboardInterrupt with a one-line message; ``err.partial`` is the result up to the time reached).

    Examples
    --------
    One neuron driven by a constant 1 nA, spike times only:

    >>> from dynapse_edu.core.dynamics import NeuronTable
    >>> from dynapse_edu.core.network import Network, Projection
    >>> from dynapse_edu.core.params import Params
    >>> import numpy as np
    >>> none = Projection.build(1, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    >>> net = Network(NeuronTable.from_params(Params(I_const=1e-9)), np.arange(1), np.zeros(0, np.int64),
    ...               np.zeros(0), none, none)
    >>> result = simulate(net, 0.05, record=Record(dt=None, neurons=(), at_spikes=False))
    >>> int(result.spike_count[0]), result.method
    (4, 'reference')
    """
    duration = check_duration(duration)
    if method not in METHODS:
        raise ParameterError(f"unknown method {method!r}; available methods: {', '.join(METHODS)}")
    if progress is not None and not isinstance(progress, bool):
        raise ParameterError(f"progress = {progress!r} must be True, False or None (automatic)")
    integrator = METHODS[method]
    record = Record() if record is None else record
    if progress is not None and accepts_progress(integrator):
        return integrator(net, duration, record, progress=progress)
    return integrator(net, duration, record)


def accepts_progress(integrator: Integrator) -> bool:
    """Whether ``integrator`` takes a keyword ``progress`` (the reference integrator does).

    >>> accepts_progress(run_reference), accepts_progress(lambda net, duration, record: None)
    (True, False)
    """
    try:
        parameters = inspect.signature(integrator).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return False
    return "progress" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


__all__ = ["simulate", "register_method", "accepts_progress", "METHODS", "Integrator"]
