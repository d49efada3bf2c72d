r"""Compiled kernels of the fast engine (:mod:`dynapse_edu.engines.fast`).

No physics is written here. Every equation the kernels evaluate is a
function of :mod:`dynapse_edu.core`, compiled by numba from *its own
bytecode* (``_compile_physics``, the list ``PHYSICS``):

* the rate of the membrane, :func:`~dynapse_edu.core.neuron.membrane_rate`, and the
  soma functions it composes (:func:`~dynapse_edu.core.neuron.soma_input`,
  :func:`~dynapse_edu.core.neuron.leak_sum`, :func:`~dynapse_edu.core.neuron.membrane_derivative`, ...);
* the leakage floor and its hold, :func:`~dynapse_edu.core.neuron.floor` and
  :func:`~dynapse_edu.core.neuron.hold_at_floor`;
* the output spike, :func:`~dynapse_edu.core.neuron.spike_reset`;
* the exact decay of the synapse and adaptation currents,
  :func:`~dynapse_edu.core.synapse.dpi_decay_exact` (``max(I e^{-s/tau}, I0)``);
* their exact charge (or relaxation) under an input pulse,
  :func:`~dynapse_edu.core.synapse.dpi_under_input` (a Newton solve of the DPI
  equation's closed form, with :func:`~dynapse_edu.core.synapse.dpi_under_input_residual`).

The substitutions are ``scipy.special.expit``, which numba cannot compile, by
the same logistic function written with one ``exp``, and ``np.asarray`` /
``np.maximum`` / ``np.where`` by their scalar forms (no 0-d array per call).
The input jumps are :func:`dynapse_edu.core.dynamics.input_jumps`, computed
before the kernel runs (:mod:`dynapse_edu.engines.fast`) and added at the
spike times as :func:`~dynapse_edu.core.dynamics.deliver_spikes` adds them;
so are the pulse currents (:func:`~dynapse_edu.core.dynamics.input_pulse_currents`),
which start pulses by the rule of :class:`~dynapse_edu.core.dynamics.Pulses`
(``_trigger``).
What is written here is the numerical scheme: the change of variable
``u = ln I_mem`` (``du/dt = (dI_mem/dt) / I_mem``), the decay factors
``exp(-s / tau)`` of the sub-step lengths, RK4, the location of threshold
crossings, and the bookkeeping. ``tests/engines/test_fast.py`` checks the
compiled functions (rate, floor hold, reset, decay) against the core's to
rounding error (1e-12).

Without numba the same functions run as plain Python (correct, slow: for
small networks only).

The scheme (one neuron, one step)
---------------------------------
Time advances on a fixed grid of step ``h``. Inside a step each neuron is
integrated on its own, cut into sub-steps at the exact times of its input
spikes and of the end of its refractory period:

* synapse and adaptation currents decay exactly, ``I <- max(I e^{-s/tau}, I0)``,
  so their values are exact at every time, whatever ``h``; a neuron with input
  or adaptation pulses (``t_pulse``, ``t_pulse_ahp``) also cuts its sub-steps at its
  pulse ends, and a current whose pulse is on is advanced by
  ``dpi_under_input`` instead (exact too: the input is constant inside a sub-step);
* the membrane is integrated in the log domain, ``u = ln I_mem`` (the DPI's
  capacitor voltage up to a factor ``U_T / kappa``), with the classical
  4-stage Runge-Kutta scheme; the synaptic currents at the stage times are
  the exact ones. A step is shortened where ``u`` changes fast: to
  0.9 ``DU_MAX / |du/dt|`` when its first stage predicts a change of
  ``u`` by more than ``DU_MAX`` (before the other three stages are
  computed), and halved and retried when the step still changes ``u`` by more
  than that; each neuron keeps its step length from one grid step to the next
  and doubles it after each accepted sub-step, up to ``h`` (where a strong
  input makes the membrane leave its
  exponential rise within microseconds). A step is also at most
  ``FOLLOW`` (0.5) times the shortest time constant in play (``follow_limit``: the
  membrane's relaxation time while it is above its floor, each adaptation or synapse
  current's tau while it is above its floor), so that RK4 follows time constants shorter
  than ``h``; the domain and the refusals outside it are :mod:`dynapse_edu.engines.limits`'s.
  In ``u`` the exponential growth of a DPI from rest
  (``I_mem`` well below ``I_g``: ``I_mem ~ e^{lambda t}``, lambda up to
  1/(16 us) under strong input) is a straight line, which the step follows
  without error; that is why a 50 us step gives spike times within about
  4 us of a tight reference, and the default 100 us step within 30 us of
  the default one (``benchmarks/README.md``);
* a threshold crossing inside a sub-step is located on ``u(t) - ln I_th``,
  each trial point re-integrated from the sub-step's start: first the root of
  the parabola through the sub-step's ends with its initial slope, then Newton
  steps on the secant of the last two trials inside the bracket (Illinois
  regula falsi where they leave it), to ``CROSSING_TOL`` = 100 ns (about
  1.5 trials per spike);
* spikes of neurons onto neurons (recurrent connections) reach their
  targets at their exact times: after a step in which neurons spiked, the
  targets start the step again from their saved state, with the spikes
  merged into their input events, until the step's spikes no longer change
  (to 2 ``CROSSING_TOL``; at most ``MAX_REDO`` passes, usually 2).

How the work is laid out (none of it changes a result)
-------------------------------------------------------
* the membrane sub-steps of four neurons are computed side by side
  (``_free_steps4``): each stage of one neuron is a chain of dependent
  exponentials and divisions, four independent chains keep the processor
  busy; a neuron's arithmetic is the same whatever its three neighbours
  (``tests/engines/test_fast.py`` renumbers the neurons and compares bit for bit);
* so a grid step runs in rounds (``_step_neurons``): every neuron goes to
  the start of its next membrane sub-step, the sub-steps are computed four at
  a time, each is taken, refused (too large a change) or cut at a spike;
* a neuron refractory all step long without input is not touched: its
  currents decay later in one go, ``max(I e^{-k h / tau}, I0)`` over the
  ``k`` steps it was left alone (``_settle``), exact as the stepwise decay;
* the step function is compiled twice from one source (``_compile_step``): with
  the pulse bookkeeping, and without it for networks where no neuron has pulses
  (the default), whose loops then carry no test of it;
* a check of a limit that needs the membrane's relaxation time (``_too_stiff``) is
  made only where the adaptation plus shunting current is above the bound under which
  it cannot fail (:func:`~dynapse_edu.engines.limits.relaxation_bound`, per neuron);
* the functions of one membrane sub-step are pasted into their caller by
  numba (``_jit_inline``); the hot loop is one function, because numba
  counts references (atomically) to every array passed to a function it
  does not inline.
"""

from __future__ import annotations

import collections
import hashlib
import math
import types
from pathlib import Path
from typing import Any

import numpy as np

from ..core import neuron, synapse

try:  # numba is optional: without it the kernels run as plain Python (slow)
    import numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised in a subprocess test without numba
    numba = None
    HAVE_NUMBA = False


#: The functions of :mod:`dynapse_edu.core` the fast engine compiles, by module, each module's callees first.
PHYSICS: tuple[tuple[types.ModuleType, tuple[str, ...]], ...] = (
    (synapse, ("dpi_decay_exact", "dpi_under_input_residual", "dpi_under_input_ideal", "dpi_under_input")),
    (
        neuron,
        (
            "floor", "hold_at_floor", "positive_feedback", "nmda_gate", "soma_input", "leak_sum",
            "membrane_derivative", "membrane_rate", "spike_reset", "membrane_relaxation",
        ),
    ),
)
#: Those of :data:`PHYSICS` numba pastes into their callers (``inline="always"``, see ``_jit_inline``).
INLINE: frozenset[str] = frozenset({"membrane_rate"})


def physics_hash() -> str:
    """A short hash of the code compiled into the kernels: the core modules of :data:`PHYSICS` and this file.

    Returns
    -------
    str
        12 hexadecimal digits of the SHA-256 of the files, in the order of :data:`PHYSICS`, then this file.
    """
    digest = hashlib.sha256()
    for module, _ in PHYSICS:
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


#: Salt of the compiled kernels' cache names: a change of a core module of :data:`PHYSICS` (or of this file)
#: gives new names.
PHYSICS_HASH = physics_hash()


#: Floating-point liberties LLVM may take in the kernels (about 5 % faster): reciprocals, fused
#: multiply-add, reassociation, approximate functions, no signed zeros. NaN and infinities keep their
#: IEEE meaning (no "nnan", "ninf"): the kernels compare with -inf and test for NaN.
FASTMATH = {"arcp", "contract", "reassoc", "afn", "nsz"}


def _jit(f: Any) -> Any:
    """Compile ``f`` with numba (or return it unchanged without numba).

    The compiled code releases the GIL (``nogil``: independent groups of
    neurons run in threads) and is cached on disk (numba ``cache=True``: a cold process
    loads it in a fraction of a second instead of compiling for several).
    numba invalidates a cache when the function's own file changes, not when
    a function it calls from another file does; the kernels inline the core
    functions of :data:`PHYSICS` (compiled with substitutions made here), so
    every cached name carries :data:`PHYSICS_HASH`, a hash of their modules and
    of this file: edit any and the kernels are compiled afresh, never loaded stale.
    """
    if not HAVE_NUMBA:
        return f
    f.__qualname__ = f"{f.__qualname__}_{PHYSICS_HASH}"
    return numba.njit(f, error_model="numpy", nogil=True, cache=True, fastmath=FASTMATH)


def _jit_inline(f: Any) -> Any:
    """``_jit``, and numba pastes the function into its callers (``inline="always"``).

    For the membrane step of four neurons and the functions it calls: taken
    as calls they pass about 130 floats through the stack each time (10 % of
    the run time of a chip); pasted in, they stay in registers. (Only for
    functions without array arguments: numba counts references to the arrays
    a pasted function receives, which costs more than the call.)
    """
    if not HAVE_NUMBA:
        return f
    f.__qualname__ = f"{f.__qualname__}_{PHYSICS_HASH}"
    return numba.njit(f, error_model="numpy", nogil=True, cache=True, fastmath=FASTMATH, inline="always")


#: The per-neuron parameters the soma functions of :mod:`dynapse_edu.core.neuron` read.
SOMA_FIELDS: tuple[str, ...] = (
    "I0", "I_const", "I_nmda_thr", "I_pfb_gain", "I_pfb_th", "I_pfb_norm", "I_tau_mem", "alpha_mem", "tau_mem",
    "n_pfb",
)
#: :data:`SOMA_FIELDS` of one neuron, and ``pfb_power_law``: whether its feedback is the power law (``n_pfb`` > 0).
Soma = collections.namedtuple("Soma", SOMA_FIELDS + ("pfb_power_law",))

#: Spike times are located to this precision, s (10 ns costs 5 % more for nothing: the step's own error is
#: microseconds).
CROSSING_TOL = 1e-7
#: Largest change of ln I_mem in one membrane step: a step whose first stage predicts more is
#: shortened before the other stages, a step that changes it more is halved (and retried), down
#: to :data:`MIN_SUBSTEP`. Under a strong input the membrane leaves its exponential
#: rise within microseconds; this keeps those spikes accurate (benchmarks/README.md: 1 nA .. 1 uA
#: base weights within 3.6 us of the reference; 1 gave 3.3 us for 11 % more work, 3 gave 8.1 us).
DU_MAX = 2.0
#: Shortest membrane sub-step, s.
MIN_SUBSTEP = 1e-8
#: Most passes over the targets of one step's recurrent spikes (each pass takes in the spikes of the last).
MAX_REDO = 100
#: A membrane sub-step is at most FOLLOW times the shortest time constant in play (:func:`follow_limit`):
#: the membrane's effective one while it is above its floor, and that of each adaptation or synapse
#: current above its floor. RK4 follows a relaxation of time constant tau for steps up to about tau
#: (unstable beyond 2.8 tau); where every time constant is longer than h / FOLLOW (the defaults: 3.5 ms
#: and more) nothing changes. This is what lets the fast engine follow the whole domain of
#: :mod:`dynapse_edu.engines.limits` (benchmarks/bias_space.py).
FOLLOW = 0.5

#: Every per-neuron array the kernel reads (rows of :class:`~dynapse_edu.core.dynamics.NeuronTable`).
TABLE_FIELDS: tuple[str, ...] = SOMA_FIELDS + (
    "I_th", "I_reset", "t_ref", "tau_ahp", "jump_ahp", "tau_syn", "t_pulse", "t_pulse_ahp", "I_w_ahp", "I_g_decay",
    "I_tau_decay", "gamma_decay",
)
Table = collections.namedtuple("Table", TABLE_FIELDS)


@_jit
def _expit(x: float) -> float:
    """The logistic function 1 / (1 + e^-x) of a float, never overflowing (as scipy.special.expit)."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@_jit
def _asarray(x: float) -> float:
    """np.asarray of a float, for compiled scalar code: the float itself (numba would allocate a 0-d array)."""
    return x


@_jit
def _maximum(a: float, b: float) -> float:
    """np.maximum of two floats."""
    return a if a >= b else b


@_jit
def _where(condition: bool, a: float, b: float) -> float:
    """np.where of a condition and two floats."""
    return a if condition else b


#: What ``np`` means inside the compiled core functions: the numpy functions they call, on floats.
_scalar_np = types.ModuleType("dynapse_edu.engines.kernels.scalar_numpy")
_scalar_np.asarray = _asarray
_scalar_np.maximum = _maximum
_scalar_np.where = _where
_scalar_np.inf = math.inf


def _compile_physics() -> dict[str, Any]:
    """Compile the core functions of :data:`PHYSICS` from their own bytecode.

    Each function is rebuilt with the same code object and a copy of its
    module's globals in which its callees are the compiled versions,
    ``expit`` is ``_expit`` and ``np.asarray`` / ``np.maximum`` /
    ``np.where`` are their scalar forms (``_scalar_np``); numba then
    compiles that (pasted into its callers if named in :data:`INLINE`).
    Nothing is retyped.
    """
    compiled = {}
    for module, names in PHYSICS:
        env = dict(vars(module))
        env["expit"] = _expit
        env["np"] = _scalar_np
        for name in names:
            f = getattr(module, name)
            clone = types.FunctionType(f.__code__, env, f.__name__, f.__defaults__, f.__closure__)
            clone.__doc__ = f.__doc__
            compiled[name] = _jit_inline(clone) if name in INLINE else _jit(clone)
            env[name] = compiled[name]
    return compiled


#: The compiled core functions of :data:`PHYSICS`, by name.
COMPILED: dict[str, Any] = _compile_physics()
_floor = COMPILED["floor"]
_hold_at_floor = COMPILED["hold_at_floor"]
_spike_reset = COMPILED["spike_reset"]
_decay_exact = COMPILED["dpi_decay_exact"]
_under_input = COMPILED["dpi_under_input"]
_relaxation = COMPILED["membrane_relaxation"]
#: dI_mem/dt of one neuron from floats, in A/s: :func:`dynapse_edu.core.neuron.membrane_rate`, compiled.
membrane_rate = COMPILED["membrane_rate"]



@_jit
def soma(tab: Any, i: int) -> Any:
    """The soma parameters of neuron ``i`` as a :data:`Soma` tuple of floats."""
    return Soma(
        tab.I0[i], tab.I_const[i], tab.I_nmda_thr[i], tab.I_pfb_gain[i], tab.I_pfb_th[i],
        tab.I_pfb_norm[i], tab.I_tau_mem[i], tab.alpha_mem[i], tab.tau_mem[i], tab.n_pfb[i], tab.n_pfb[i] > 0.0,
    )


@_jit_inline
def log_rate(u: float, I_ahp: float, a: float, n: float, ga: float, gb: float, p: Any) -> float:
    """du/dt with u = ln I_mem: the membrane's rate divided by the current, held at the floor, in 1/s.

    ``membrane_rate`` and ``hold_at_floor`` are the compiled core functions
    (:func:`dynapse_edu.core.neuron.membrane_rate`, :func:`dynapse_edu.core.neuron.hold_at_floor`:
    du/dt has the sign of dI_mem/dt, so holding either is the same rule);
    ``a``, ``n``, ``ga``, ``gb`` are the AMPA, NMDA, GABA_A and GABA_B currents.
    (Held after the division: held before it, LLVM compiled a neuron's
    arithmetic differently in different lanes of ``_rates4``.)
    A trial stage of a far too long step can reach absurd u: I_mem is capped
    at 1 A there (no overflow; such a step changes u by far more than
    :data:`DU_MAX` and is halved).
    """
    I_mem = math.exp(min(u, 0.0))
    return _hold_at_floor(I_mem, membrane_rate(I_mem, I_ahp, (a, n, ga, gb), p) / _floor(I_mem, p.I0), p.I0)


@_jit
def membrane_step(u: float, s: float, y0: Any, ym: Any, y1: Any, p: Any, log_I0: float) -> float:
    """One RK4 step of length ``s`` of u = ln I_mem, with the exact currents ``y`` = (ahp, 4 synapses).

    ``y0``, ``ym``, ``y1`` hold the adaptation and synapse currents at the start,
    middle and end of the step (exact: they decay in closed form).
    """
    return membrane_step_from(u, log_rate(u, y0[0], y0[1], y0[2], y0[3], y0[4], p), s, ym, y1, p, log_I0)


@_jit
def membrane_step_from(u: float, k1: float, s: float, ym: Any, y1: Any, p: Any, log_I0: float) -> float:
    """:func:`membrane_step` given its first stage ``k1`` = du/dt at the start (computed to choose ``s``).

    The result is floored at ln I0 (:func:`~dynapse_edu.core.neuron.floor` in the log domain:
    ln is increasing, so max(u, ln I0) = ln max(I_mem, I0)).
    """
    k2 = log_rate(u + 0.5 * s * k1, ym[0], ym[1], ym[2], ym[3], ym[4], p)
    k3 = log_rate(u + 0.5 * s * k2, ym[0], ym[1], ym[2], ym[3], ym[4], p)
    k4 = log_rate(u + s * k3, y1[0], y1[1], y1[2], y1[3], y1[4], p)
    return _floor(u + s * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0, log_I0)


@_jit_inline
def _rates4(u: Any, y: Any, p: Any) -> Any:
    """:func:`log_rate` of 4 neurons at once (independent chains the processor overlaps)."""
    return (
        log_rate(u[0], y[0][0], y[0][1], y[0][2], y[0][3], y[0][4], p[0]),
        log_rate(u[1], y[1][0], y[1][1], y[1][2], y[1][3], y[1][4], p[1]),
        log_rate(u[2], y[2][0], y[2][1], y[2][2], y[2][3], y[2][4], p[2]),
        log_rate(u[3], y[3][0], y[3][1], y[3][2], y[3][3], y[3][4], p[3]),
    )


@_jit
def _axpy4(u: Any, a: Any, k: Any) -> Any:
    """u + a k, lane by lane."""
    return (u[0] + a[0] * k[0], u[1] + a[1] * k[1], u[2] + a[2] * k[2], u[3] + a[3] * k[3])


@_jit
def _half4(s: Any) -> Any:
    """Half of each of 4 step lengths."""
    return (0.5 * s[0], 0.5 * s[1], 0.5 * s[2], 0.5 * s[3])


@_jit
def membrane_step4(u: Any, s: Any, y0: Any, ym: Any, y1: Any, p: Any, log_I0: Any) -> Any:
    """:func:`membrane_step` of 4 neurons (step lengths ``s``), stage by stage: the same arithmetic, bit for bit.

    A stage of one neuron is a chain of dependent divisions and exponentials;
    four independent chains side by side run about twice as fast.
    """
    return membrane_step4_from(u, _rates4(u, y0, p), s, ym, y1, p, log_I0)


@_jit_inline
def membrane_step4_from(u: Any, k1: Any, s: Any, ym: Any, y1: Any, p: Any, log_I0: Any) -> Any:
    """:func:`membrane_step4` given its first stage ``k1`` (as :func:`membrane_step_from`)."""
    k2 = _rates4(_axpy4(u, _half4(s), k1), ym, p)
    k3 = _rates4(_axpy4(u, _half4(s), k2), ym, p)
    k4 = _rates4(_axpy4(u, s, k3), y1, p)
    return (
        _floor(u[0] + s[0] * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]) / 6.0, log_I0[0]),
        _floor(u[1] + s[1] * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]) / 6.0, log_I0[1]),
        _floor(u[2] + s[2] * (k1[2] + 2.0 * k2[2] + 2.0 * k3[2] + k4[2]) / 6.0, log_I0[2]),
        _floor(u[3] + s[3] * (k1[3] + 2.0 * k2[3] + 2.0 * k3[3] + k4[3]) / 6.0, log_I0[3]),
    )


@_jit
def _shorten(s: float, k1: float) -> float:
    """The length of a free sub-step proposed as ``s``: shorter if its first stage ``k1`` predicts too large a change.

    Where ``|k1| s`` exceeds :data:`DU_MAX` the step becomes
    0.9 ``DU_MAX / |k1|`` (at least :data:`MIN_SUBSTEP`), before the other
    three stages are computed.
    """
    if abs(k1) * s > DU_MAX and s > MIN_SUBSTEP:
        return max(0.9 * DU_MAX / abs(k1), MIN_SUBSTEP)
    return s


@_jit_inline
def _lane_ends(s: float, whole: bool, y: Any, taus: Any, full: Any, half: Any, I0: float) -> Any:
    """The currents at the middle and at the end of a free sub-step ``s`` (exact decay).

    A whole grid step uses the decay factors computed once (``full``,
    ``half``); any other length computes them.
    """
    if whole:
        f_full, f_half = full, half
    else:
        f_half = _factors(0.5 * s, taus, y, I0)
        f_full = _squares(f_half)
    return _scaled(y, f_half, I0), _scaled(y, f_full, I0)


@_jit_inline
def _lane_ends_driven(
    s: float, whole: bool, y: Any, taus: Any, full: Any, half: Any, I0: float, drive: Any
) -> Any:
    """:func:`_lane_ends` of a neuron with pulses: a current whose pulse is on (``drive``) charges exactly."""
    if not _pulsing(drive[0]):
        return _lane_ends(s, whole, y, taus, full, half, I0)
    if whole:
        f_full, f_half = full, half
    else:
        f_half = _factors(0.5 * s, taus, y, I0)
        f_full = _squares(f_half)
    return _evolved(y, f_half, 0.5 * s, taus, drive, I0), _evolved(y, f_full, s, taus, drive, I0)


@_jit
def _free_steps4_driven(
    p: Any, u0: Any, y0: Any, s_try: Any, whole: Any, taus: Any, full: Any, half: Any, log_I0: Any, drive: Any
) -> Any:
    """:func:`_free_steps4` for a group with a neuron that has pulses: the lanes' currents under their ``drive``.

    (A copy of :func:`_free_steps4` with :func:`_lane_ends_driven`, called rather than pasted in:
    kept apart so that networks without pulses run the code they ran before, as fast.)
    """
    k1 = _rates4(u0, y0, p)
    s = (_shorten(s_try[0], k1[0]), _shorten(s_try[1], k1[1]), _shorten(s_try[2], k1[2]), _shorten(s_try[3], k1[3]))
    e0 = _lane_ends_driven(s[0], whole[0] and s[0] == s_try[0], y0[0], taus[0], full[0], half[0], p[0].I0, drive[0])
    e1 = _lane_ends_driven(s[1], whole[1] and s[1] == s_try[1], y0[1], taus[1], full[1], half[1], p[1].I0, drive[1])
    e2 = _lane_ends_driven(s[2], whole[2] and s[2] == s_try[2], y0[2], taus[2], full[2], half[2], p[2].I0, drive[2])
    e3 = _lane_ends_driven(s[3], whole[3] and s[3] == s_try[3], y0[3], taus[3], full[3], half[3], p[3].I0, drive[3])
    ym = (e0[0], e1[0], e2[0], e3[0])
    y1 = (e0[1], e1[1], e2[1], e3[1])
    return s, membrane_step4_from(u0, k1, s, ym, y1, p, log_I0), y1, k1


@_jit_inline
def _free_steps4(
    p: Any, u0: Any, y0: Any, s_try: Any, whole: Any, taus: Any, full: Any, half: Any, log_I0: Any
) -> Any:
    """One RK4 sub-step of the membrane of 4 free (not refractory) neurons, side by side.

    Lane ``q`` holds one neuron: its soma parameters ``p[q]``, ln I_mem
    ``u0[q]``, currents ``y0[q]`` (ahp, 4 synapses), the proposed length
    ``s_try[q]`` (``whole[q]``: the whole grid step), the time constants,
    the decay factors of a whole and half grid step (5 each) and ln I0. The
    step is shortened by ``_shorten`` where needed. Returns the lengths
    taken, ln I_mem and the currents at their ends, and the first stages. A lane's arithmetic
    does not depend on the other lanes nor on its position: a neuron's result
    does not depend on its company.
    """
    k1 = _rates4(u0, y0, p)
    s = (_shorten(s_try[0], k1[0]), _shorten(s_try[1], k1[1]), _shorten(s_try[2], k1[2]), _shorten(s_try[3], k1[3]))
    e0 = _lane_ends(s[0], whole[0] and s[0] == s_try[0], y0[0], taus[0], full[0], half[0], p[0].I0)
    e1 = _lane_ends(s[1], whole[1] and s[1] == s_try[1], y0[1], taus[1], full[1], half[1], p[1].I0)
    e2 = _lane_ends(s[2], whole[2] and s[2] == s_try[2], y0[2], taus[2], full[2], half[2], p[2].I0)
    e3 = _lane_ends(s[3], whole[3] and s[3] == s_try[3], y0[3], taus[3], full[3], half[3], p[3].I0)
    ym = (e0[0], e1[0], e2[0], e3[0])
    y1 = (e0[1], e1[1], e2[1], e3[1])
    return s, membrane_step4_from(u0, k1, s, ym, y1, p, log_I0), y1, k1


@_jit
def follow_limit(u: float, y: Any, taus: Any, p: Any, log_I0: float) -> float:
    """The longest membrane sub-step that follows every time constant in play, s (:data:`FOLLOW` x the shortest).

    ``u`` = ln I_mem, ``y`` = (ahp, 4 synapses) in A, ``taus`` their time constants in s, ``p`` the
    soma parameters, ``log_I0`` = ln I0. The membrane counts with its relaxation time
    (:func:`~dynapse_edu.core.neuron.membrane_relaxation`, compiled) while it is above its floor;
    each adaptation or synapse current above its floor with its own tau. Infinity when nothing is in play.
    """
    limit = _relaxation(math.exp(u), y[0], y[3], p) if u > log_I0 else math.inf
    for k in range(5):
        if y[k] > p.I0 and taus[k] < limit:
            limit = taus[k]
    return FOLLOW * limit


@_jit
def _too_stiff(guard: np.ndarray, i: int, t: float, u: float, y: Any, p: Any, log_I0: float) -> None:
    """Mark neuron ``i`` in ``guard`` if its membrane, above its floor, relaxes faster than ``guard[0]`` s.

    ``guard`` = (limit, neuron, time, relaxation): the first neuron found is kept (neuron -1: none);
    relaxation -1 marks a neuron whose sub-steps made no progress (``_step_neurons`` gave up after
    4 h / MIN_SUBSTEP rounds in one step).
    Checked where both integrators check it: right after input spikes and after an output spike.
    """
    if u > log_I0 and guard[1] < 0.0:
        r = _relaxation(math.exp(u), y[0], y[3], p)
        if r < guard[0]:
            guard[1], guard[2], guard[3] = i, t, r


@_jit
def _currents(state: np.ndarray, i: int) -> Any:
    """(ahp, AMPA, NMDA, GABA_A, GABA_B) of neuron ``i``: rows 1-5 of ``state``."""
    return (state[1, i], state[2, i], state[3, i], state[4, i], state[5, i])


@_jit
def _row(a: np.ndarray, i: int) -> Any:
    """The 5 entries of row ``i`` of an (n, 5) array, as a tuple."""
    return (a[i, 0], a[i, 1], a[i, 2], a[i, 3], a[i, 4])


@_jit
def _scaled(y: Any, f: Any, I0: float) -> Any:
    """(ahp, 4 synapses) after exact decay by the factors ``f`` = exp(-s / tau) each.

    :func:`~dynapse_edu.core.synapse.dpi_decay_exact`, compiled: max(I f, I0).
    """
    return (
        _decay_exact(y[0], f[0], I0), _decay_exact(y[1], f[1], I0), _decay_exact(y[2], f[2], I0),
        _decay_exact(y[3], f[3], I0), _decay_exact(y[4], f[4], I0),
    )


@_jit
def _factor(s: float, tau: float, I: float, I0: float) -> float:
    """exp(-s / tau), or 1 when the current sits at the floor I0 (where any factor leaves it at I0)."""
    return math.exp(-s / tau) if I > I0 else 1.0


@_jit
def _factors(s: float, taus: Any, y: Any, I0: float) -> Any:
    """The decay factors exp(-s / tau) of the adaptation and the 4 synapses (``y``) over a time ``s``."""
    return (
        _factor(s, taus[0], y[0], I0), _factor(s, taus[1], y[1], I0), _factor(s, taus[2], y[2], I0),
        _factor(s, taus[3], y[3], I0), _factor(s, taus[4], y[4], I0),
    )


@_jit
def _squares(f: Any) -> Any:
    """Squares of decay factors: exp(-s / (2 tau)) -> exp(-s / tau), the factors of twice the time."""
    return (f[0] * f[0], f[1] * f[1], f[2] * f[2], f[3] * f[3], f[4] * f[4])


#: The drive of a sub-step without input pulses: (inputs 0, I_g, I_tau, gamma) of the 5 rows (see :func:`advance`).
NO_DRIVE = ((0.0,) * 5, (1.0,) * 5, (1.0,) * 5, (1.0,) * 5)


@_jit
def _pulsing(x: Any) -> bool:
    """Whether any of the 5 input currents ``x`` (adaptation, 4 synapses) is on."""
    return x[0] > 0.0 or x[1] > 0.0 or x[2] > 0.0 or x[3] > 0.0 or x[4] > 0.0


@_jit
def _row_evolved(
    I: float, f: float, s: float, tau: float, x: float, g: float, i_tau: float, gamma: float, I0: float
) -> float:
    """One current after ``s``: under its pulse input ``x`` (:func:`~dynapse_edu.core.synapse.dpi_under_input`,
    compiled, with the output exponent ``gamma``) if on, else the exact decay by the factor ``f``."""
    if x > 0.0:
        return _under_input(I, s, x, g, i_tau, tau, I0, gamma)
    return _decay_exact(I, f, I0)


@_jit
def _evolved(y: Any, f: Any, s: float, taus: Any, drive: Any, I0: float) -> Any:
    """(ahp, 4 synapses) after ``s`` under the pulse inputs of ``drive`` (inputs, I_g, I_tau, gamma); ``f``: decays."""
    x, g, it, gm = drive
    return (
        _row_evolved(y[0], f[0], s, taus[0], x[0], g[0], it[0], gm[0], I0),
        _row_evolved(y[1], f[1], s, taus[1], x[1], g[1], it[1], gm[1], I0),
        _row_evolved(y[2], f[2], s, taus[2], x[2], g[2], it[2], gm[2], I0),
        _row_evolved(y[3], f[3], s, taus[3], x[3], g[3], it[3], gm[3], I0),
        _row_evolved(y[4], f[4], s, taus[4], x[4], g[4], it[4], gm[4], I0),
    )


@_jit
def _drive(pulse: Any, i: int, t: float) -> Any:
    """The drive of neuron ``i`` just after ``t``: (inputs, I_g, I_tau, gamma) of its 5 rows; inputs 0 if off."""
    until, current, gs, itaus, gammas = pulse[1], pulse[2], pulse[4], pulse[5], pulse[8]
    x = (
        current[i, 0] if until[i, 0] > t else 0.0, current[i, 1] if until[i, 1] > t else 0.0,
        current[i, 2] if until[i, 2] > t else 0.0, current[i, 3] if until[i, 3] > t else 0.0,
        current[i, 4] if until[i, 4] > t else 0.0,
    )
    return x, _row(gs, i), _row(itaus, i), _row(gammas, i)


@_jit
def _trigger(pulse: Any, i: int, k: int, t: float, current: float) -> None:
    """Start (or restart) pulse ``k`` (0 = adaptation, 1..4 = synapses) of neuron ``i`` at ``t``.

    :meth:`dynapse_edu.core.dynamics.Pulses.trigger`'s rule: it ends a width after t; its current
    replaces the one there, but triggers at the same time add up.
    """
    start, until, cur, widths = pulse[0], pulse[1], pulse[2], pulse[3]
    if start[i, k] == t:
        cur[i, k] += current
    else:
        cur[i, k] = current
    start[i, k] = t
    until[i, k] = t + widths[i, k]


@_jit
def _pulse_on(until: np.ndarray, i: int, t: float) -> bool:
    """Whether a pulse of neuron ``i`` is on just after ``t``."""
    return until[i, 0] > t or until[i, 1] > t or until[i, 2] > t or until[i, 3] > t or until[i, 4] > t


@_jit
def _pulse_ends_at(until: np.ndarray, i: int, t: float) -> bool:
    """Whether a pulse of neuron ``i`` ends at ``t``."""
    return until[i, 0] == t or until[i, 1] == t or until[i, 2] == t or until[i, 3] == t or until[i, 4] == t


@_jit
def _drive_of(pulse: Any, i: int, t: float) -> Any:
    """:func:`_drive` for a neuron with pulses (``pulse[6][i]``), :data:`NO_DRIVE` for one without."""
    if pulse[6][i]:
        return _drive(pulse, i, t)
    return NO_DRIVE


@_jit
def advance(u: float, y: Any, s: float, taus: Any, p: Any, log_I0: float, drive: Any) -> float:
    """ln I_mem after a sub-step of length ``s`` of the free membrane, from (u, y).

    ``drive`` = (inputs, I_g, I_tau) of the adaptation and synapse rows (5 each, A): the pulse
    inputs on during the sub-step (0: none, :data:`NO_DRIVE`).
    """
    f = _factors(0.5 * s, taus, y, p.I0)
    if _pulsing(drive[0]):
        ym = _evolved(y, f, 0.5 * s, taus, drive, p.I0)
        y1 = _evolved(y, _squares(f), s, taus, drive, p.I0)
    else:
        ym = _scaled(y, f, p.I0)
        y1 = _scaled(y, _squares(f), p.I0)
    return membrane_step(u, s, y, ym, y1, p, log_I0)


@_jit
def crossing(
    u: float, k1: float, y: Any, s_hi: float, u_hi: float, log_th: float, taus: Any, p: Any, log_I0: float,
    drive: Any,
) -> float:
    """Time after the sub-step's start at which u reaches ln I_th, to :data:`CROSSING_TOL`.

    ``u`` and ``k1`` = du/dt are the start of the sub-step, ``u_hi`` >= ln I_th
    its end after ``s_hi``. Each trial point is integrated from the start
    (:func:`advance`). The first trial is the root of the parabola through
    the two ends with the slope ``k1``; the next ones Newton steps on the
    secant of the last two trials, kept inside the bracket (else Illinois
    regula falsi). Done when the Newton correction is below a quarter of
    the tolerance (the corrected time is returned) or when the bracket is
    narrower than the tolerance (its upper end is returned).
    """
    s_lo, g_lo, g_hi = 0.0, u - log_th, u_hi - log_th
    c = (g_hi - g_lo - k1 * s_hi) / (s_hi * s_hi)  # the parabola g_lo + k1 s + c s^2
    disc = k1 * k1 - 4.0 * c * g_lo
    s = -2.0 * g_lo / (k1 + math.sqrt(disc)) if disc >= 0.0 and k1 + math.sqrt(disc) > 0.0 else -1.0
    slope = k1 + 2.0 * c * s
    s_prev, g_prev = -1.0, 0.0
    side = 0
    for _ in range(60):
        if s_hi - s_lo <= CROSSING_TOL:
            break
        if not (s_lo < s < s_hi):
            s = (s_lo * g_hi - s_hi * g_lo) / (g_hi - g_lo)
            if not (s_lo < s < s_hi):
                s = 0.5 * (s_lo + s_hi)
            slope = (g_hi - g_lo) / (s_hi - s_lo)
        g = advance(u, y, s, taus, p, log_I0, drive) - log_th
        if s_prev >= 0.0 and s != s_prev:
            slope = (g - g_prev) / (s - s_prev)
        if slope > 0.0 and abs(g) <= 0.25 * CROSSING_TOL * slope:
            return s - g / slope
        if g >= 0.0:
            s_hi, g_hi = s, g
            if side == 1:
                g_lo *= 0.5
            side = 1
        else:
            s_lo, g_lo = s, g
            if side == -1:
                g_hi *= 0.5
            side = -1
        s_prev, g_prev = s, g
        s = s - g / slope if slope > 0.0 else -1.0
    return s_hi


@_jit
def _grow(a: np.ndarray, need: int) -> np.ndarray:
    """``a`` (1-D) itself if it has ``need`` entries, else a copy twice as long."""
    if a.shape[0] >= need:
        return a
    b = np.empty(max(need, 2 * a.shape[0]), a.dtype)
    b[: a.shape[0]] = a
    return b


@_jit
def _grow_rows(a: np.ndarray, need: int) -> np.ndarray:
    """``a`` (2-D) itself if it has ``need`` rows, else a copy with twice the rows."""
    if a.shape[0] >= need:
        return a
    b = np.empty((max(need, 2 * a.shape[0]), a.shape[1]), a.dtype)
    b[: a.shape[0]] = a
    return b


@_jit
def _log(log_t: np.ndarray, log_y: np.ndarray, counts: np.ndarray, t: float, I_mem: float, y: Any) -> None:
    """Append one event sample (t, I_mem, ahp, 4 synapses) to the event log (``counts[1]`` entries; room made)."""
    n_log = counts[1]
    log_t[n_log] = t
    log_y[n_log, 0] = I_mem
    for k in range(5):
        log_y[n_log, k + 1] = y[k]
    counts[1] = n_log + 1


@_jit
def _settle(state: np.ndarray, i: int, lag: np.ndarray, taus: np.ndarray, h: float, I0: float) -> None:
    """The exact decay of neuron i's currents over the ``lag[i]`` whole steps it was left alone (refractory).

    ``max(I e^{-k h / tau}, I0)`` (:func:`~dynapse_edu.core.synapse.dpi_decay_exact`): the same as ``k``
    steps of ``max(I e^{-h / tau}, I0)``.
    """
    k = lag[i]
    for c in range(5):
        I = state[c + 1, i]
        if I > I0:
            state[c + 1, i] = _decay_exact(I, math.exp(-(k * h) / taus[i, c]), I0)
    lag[i] = 0


#: Whether the step function is compiled for networks with pulses (see :func:`_compile_step`): a
#: module-level name that the two compilations of ``_step_neurons_source`` see as True or False.
PULSES = True


def _step_neurons_source(
    t0: float, t1: float, h: float, u_mem: np.ndarray, state: np.ndarray, tab: Any, logs: np.ndarray,
    taus: np.ndarray, full: np.ndarray, half: np.ndarray, refr_until: np.ndarray, head: np.ndarray,
    ev_t: np.ndarray, ev_syn: np.ndarray, ev_jump: np.ndarray, ev_next: np.ndarray, spk_i: np.ndarray,
    spk_t: np.ndarray, event_neuron: int, log_t: np.ndarray, log_y: np.ndarray, counts: np.ndarray,
    neurons: np.ndarray, caps: np.ndarray, work: Any, ev_pulse: np.ndarray, pulse: Any,
) -> tuple:
    """Integrate the ``neurons`` (indices) from t0 to t1, in place.

    Each neuron is integrated on its own, in sub-steps cut at its input spikes
    and at the end of its refractory period, but the membrane sub-steps of
    four neurons are computed side by side (``_free_steps4``). This goes in
    rounds; in each round

    1. every neuron not yet at ``t1`` goes to the start of its next membrane
       sub-step: it takes its input spikes at their times
       (:func:`dynamics.deliver_spikes`) and, while refractory (the membrane
       held), its currents decay exactly; the next sub-step ends at its next
       input spike, at ``t1`` or ``caps[i]`` later, whichever comes first;
    2. these sub-steps are computed, four neurons at a time;
    3. each is taken or refused: refused if it changes ln I_mem by more than
       :data:`DU_MAX` (the next try is half as long); taken if the membrane
       stays below threshold (the next may be twice as long, up to ``h``);
       else the spike is located inside it (:func:`crossing`) and the neuron
       is reset (:func:`~dynapse_edu.core.neuron.spike_reset`, as :func:`~dynapse_edu.core.dynamics.reset`).

    Neurons refractory all step long without input only decay, later, in one
    go: ``lag[i]`` counts such steps (``_settle``). ``u_mem`` holds
    ln I_mem (the membrane row of ``state`` is not used here), rows 1-5 of
    ``state`` the adaptation and synapse currents; ``logs`` holds ln I_th and
    ln I0 per neuron; ``head[i]`` is the first of neuron i's input events in
    this step (linked by ``ev_next``); ``work`` holds per-neuron scratch
    arrays. Returns the (possibly grown) spike and event-log buffers;
    ``counts`` holds their lengths.

    (Everything is written out in this one function on purpose: numba counts
    references to every array passed to a function it does not inline,
    an atomic operation each, which would cost more than the arithmetic.)
    """
    t_now, e_now, t_end, s_try, is_whole, active, ready, after, lag, guard, fastest, relax_bound = work
    p_until, has_pulse = pulse[1], pulse[6]
    # whether any neuron has pulses: a constant of each compilation (``_compile_step``), so that the
    # compiler removes the pulse bookkeeping from the loops of networks without pulses
    any_pulse = PULSES
    whole_step = abs((t1 - t0) - h) <= 1e-9 * h
    # the neurons to integrate: all but those refractory all step long without input, whose currents
    # decay later, in one go (written without branches: which neurons are refractory is unpredictable)
    n_active = 0
    for i in neurons:
        busy = (head[i] >= 0) | (refr_until[i] < t1) | (i == event_neuron) | (not whole_step) | (
            any_pulse and has_pulse[i] and _pulse_on(p_until, i, t0)
        )
        active[n_active] = i
        n_active += busy
        lag[i] += not busy
    for a in range(n_active):
        i = active[a]
        if lag[i] > 0:
            _settle(state, i, lag, taus, h, tab.I0[i])
        t_now[i] = t0
        e_now[i] = head[i]
    rounds = 0
    max_rounds = int(4.0 * h / MIN_SUBSTEP) + 1000  # every neuron at MIN_SUBSTEP, with halvings
    while n_active > 0:
        rounds += 1
        if rounds > max_rounds and guard[1] < 0.0:  # no progress (a state the sub-steps cannot follow): stop
            guard[1], guard[2], guard[3] = active[0], t_now[active[0]], -1.0
            break
        # room for one spike per neuron and round, and for the event samples of the recorded neuron
        spk_i = _grow(spk_i, counts[0] + n_active)
        spk_t = _grow(spk_t, counts[0] + n_active)
        if event_neuron >= 0 and t_now[event_neuron] < t1:
            need = counts[1] + 2
            e = e_now[event_neuron]
            while e >= 0:
                need += 2
                e = ev_next[e]
            log_t = _grow(log_t, need)
            log_y = _grow_rows(log_y, need)
        # --- 1. each neuron to the start of its next membrane sub-step (or to t1) ---------------
        n_ready = 0
        for a in range(n_active):
            i = active[a]
            t = t_now[i]
            e = e_now[i]
            y = _currents(state, i)
            I0 = tab.I0[i]
            logged = i == event_neuron
            while True:
                if any_pulse and has_pulse[i] and _pulse_ends_at(p_until, i, t):  # (where the reference checks)
                    _too_stiff(guard, i, t, u_mem[i], y, soma(tab, i), logs[1, i])
                if e >= 0 and ev_t[e] <= t:  # the input spikes at time t: dynamics.deliver_spikes
                    if logged:
                        _log(log_t, log_y, counts, t, math.exp(u_mem[i]), y)
                    j0, j1, j2, j3 = y[1], y[2], y[3], y[4]
                    while e >= 0 and ev_t[e] <= t:
                        k = ev_syn[e]
                        if k == 0:
                            j0 += ev_jump[e]
                        elif k == 1:
                            j1 += ev_jump[e]
                        elif k == 2:
                            j2 += ev_jump[e]
                        else:
                            j3 += ev_jump[e]
                        if any_pulse and ev_pulse[e] > 0.0:  # a pulse instead of the jump (which is 0): dynamics.Pulses
                            _trigger(pulse, i, k + 1, t, ev_pulse[e])
                        e = ev_next[e]
                    y = (y[0], j0, j1, j2, j3)
                    if y[0] + y[3] > relax_bound[i]:  # (else it cannot be too stiff: limits.relaxation_bound)
                        _too_stiff(guard, i, t, u_mem[i], y, soma(tab, i), logs[1, i])
                    if logged:
                        _log(log_t, log_y, counts, t, math.exp(u_mem[i]), y)
                if t >= t1:
                    break
                tb = t1
                if e >= 0 and ev_t[e] < tb:
                    tb = ev_t[e]
                if t < refr_until[i] < tb:
                    tb = refr_until[i]
                if any_pulse and has_pulse[i]:  # pulse ends end sub-steps: constant inputs inside one
                    for k in range(5):
                        if t < p_until[i, k] < tb:
                            tb = p_until[i, k]
                s = tb - t
                whole = t == t0 and tb == t1 and abs(s - h) <= 1e-9 * h  # a whole grid step: decay factors known
                if refr_until[i] > t:  # refractory: the membrane is held, the currents decay (or charge) exactly
                    f_r = _row(full, i) if whole else _factors(s, _row(taus, i), y, I0)
                    if any_pulse and has_pulse[i] and _pulse_on(p_until, i, t):
                        y = _evolved(y, f_r, s, _row(taus, i), _drive(pulse, i, t), I0)
                    else:
                        y = _scaled(y, f_r, I0)
                    t = tb
                    continue
                # a time constant in play shorter than the step: follow it (first a cheap test whether one
                # could be: the shortest tau of the neuron, and the membrane's relaxation without its factor >= 1)
                c_i = caps[i]
                if fastest[i] < c_i or FOLLOW * tab.tau_mem[i] * tab.I_tau_mem[i] < c_i * (
                    tab.I_tau_mem[i] + y[0] + y[3]
                ):
                    lim = follow_limit(u_mem[i], y, _row(taus, i), soma(tab, i), logs[1, i])
                    if c_i > lim:
                        caps[i] = max(lim, MIN_SUBSTEP)
                if s > caps[i] * (1.0 + 1e-9):  # (a whole step may exceed h by rounding)
                    tb = t + caps[i]
                    whole = False
                t_end[i] = tb
                s_try[i] = tb - t
                is_whole[i] = whole
                ready[n_ready] = i
                n_ready += 1
                break
            t_now[i] = t
            e_now[i] = e
            for k in range(5):
                state[k + 1, i] = y[k]
        # --- 2. their membrane sub-steps, four neurons side by side ----------------------------
        n_after = 0  # the neurons that go on to the next round
        for c in range(0, n_ready, 4):
            last = min(c + 4, n_ready) - 1  # (a short last group repeats its last neuron)
            b = (ready[c], ready[min(c + 1, last)], ready[min(c + 2, last)], ready[min(c + 3, last)])
            if any_pulse and (has_pulse[b[0]] or has_pulse[b[1]] or has_pulse[b[2]] or has_pulse[b[3]]):
                s4, u4, y4, k4 = _free_steps4_driven(
                    (soma(tab, b[0]), soma(tab, b[1]), soma(tab, b[2]), soma(tab, b[3])),
                    (u_mem[b[0]], u_mem[b[1]], u_mem[b[2]], u_mem[b[3]]),
                    (_currents(state, b[0]), _currents(state, b[1]), _currents(state, b[2]), _currents(state, b[3])),
                    (s_try[b[0]], s_try[b[1]], s_try[b[2]], s_try[b[3]]),
                    (is_whole[b[0]], is_whole[b[1]], is_whole[b[2]], is_whole[b[3]]),
                    (_row(taus, b[0]), _row(taus, b[1]), _row(taus, b[2]), _row(taus, b[3])),
                    (_row(full, b[0]), _row(full, b[1]), _row(full, b[2]), _row(full, b[3])),
                    (_row(half, b[0]), _row(half, b[1]), _row(half, b[2]), _row(half, b[3])),
                    (logs[1, b[0]], logs[1, b[1]], logs[1, b[2]], logs[1, b[3]]),
                    (
                        _drive_of(pulse, b[0], t_now[b[0]]), _drive_of(pulse, b[1], t_now[b[1]]),
                        _drive_of(pulse, b[2], t_now[b[2]]), _drive_of(pulse, b[3], t_now[b[3]]),
                    ),
                )
            else:
                s4, u4, y4, k4 = _free_steps4(
                    (soma(tab, b[0]), soma(tab, b[1]), soma(tab, b[2]), soma(tab, b[3])),
                    (u_mem[b[0]], u_mem[b[1]], u_mem[b[2]], u_mem[b[3]]),
                    (_currents(state, b[0]), _currents(state, b[1]), _currents(state, b[2]), _currents(state, b[3])),
                    (s_try[b[0]], s_try[b[1]], s_try[b[2]], s_try[b[3]]),
                    (is_whole[b[0]], is_whole[b[1]], is_whole[b[2]], is_whole[b[3]]),
                    (_row(taus, b[0]), _row(taus, b[1]), _row(taus, b[2]), _row(taus, b[3])),
                    (_row(full, b[0]), _row(full, b[1]), _row(full, b[2]), _row(full, b[3])),
                    (_row(half, b[0]), _row(half, b[1]), _row(half, b[2]), _row(half, b[3])),
                    (logs[1, b[0]], logs[1, b[1]], logs[1, b[2]], logs[1, b[3]]),
                )
            # --- 3. each sub-step taken, refused, or cut at a spike ----------------------------
            for q in range(last - c + 1):
                i = b[q]
                s = s4[q]
                u = u_mem[i]
                u1 = u4[q]
                t = t_now[i]
                if s != s_try[i]:  # shortened from its first stage: the neuron keeps the shorter length
                    caps[i] = s
                    t_end[i] = t + s
                if not abs(u1 - u) <= DU_MAX and s > MIN_SUBSTEP:  # ln I_mem changes too fast: halve the step
                    caps[i] = 0.5 * s
                    after[n_after] = i
                    n_after += 1
                    continue
                log_th = logs[0, i]
                if u1 < log_th:
                    u_mem[i] = u1
                    for k in range(5):
                        state[k + 1, i] = y4[q][k]
                    t_now[i] = t_end[i]
                    caps[i] = min(2.0 * caps[i], h)
                    if t_end[i] < t1:  # (at t1 the neuron is done: its input spikes are all before t1)
                        after[n_after] = i
                        n_after += 1
                    continue
                # a spike inside this sub-step: locate it, then reset (core.neuron.spike_reset)
                p = soma(tab, i)
                y = _currents(state, i)
                tau_i = _row(taus, i)
                drive = _drive(pulse, i, t) if any_pulse and has_pulse[i] else NO_DRIVE
                s_sp = crossing(u, k4[q], y, s, u1, log_th, tau_i, p, logs[1, i], drive)
                if _pulsing(drive[0]):
                    y = _evolved(y, _factors(s_sp, tau_i, y, p.I0), s_sp, tau_i, drive, p.I0)
                else:
                    y = _scaled(y, _factors(s_sp, tau_i, y, p.I0), p.I0)
                t = t + s_sp
                if i == event_neuron:
                    _log(log_t, log_y, counts, t, tab.I_th[i], y)
                I_mem, I_ahp = _spike_reset(y[0], tab.I_reset[i], p.I0, tab.jump_ahp[i])
                u_mem[i] = math.log(I_mem)
                y = (I_ahp, y[1], y[2], y[3], y[4])
                if y[0] + y[3] > relax_bound[i]:
                    _too_stiff(guard, i, t, u_mem[i], y, p, logs[1, i])
                refr_until[i] = t + tab.t_ref[i]
                if any_pulse and has_pulse[i] and pulse[3][i, 0] > 0.0:  # the adaptation's own pulse (dynamics.reset)
                    _trigger(pulse, i, 0, t, tab.I_w_ahp[i])
                caps[i] = h
                spk_i[counts[0]] = i
                spk_t[counts[0]] = t
                counts[0] += 1
                if i == event_neuron:
                    _log(log_t, log_y, counts, t, I_mem, y)
                t_now[i] = t
                for k in range(5):
                    state[k + 1, i] = y[k]
                after[n_after] = i
                n_after += 1
        active, after = after, active
        n_active = n_after
    return spk_i, spk_t, log_t, log_y


def _compile_step(pulses: bool) -> Any:
    """``_step_neurons_source`` compiled with ``PULSES`` = ``pulses``: the same code, its pulse bookkeeping a constant.

    As the core functions are (``_compile_physics``): the same code object with a copy of this module's
    globals; with ``pulses=False`` the compiler drops every branch on ``any_pulse`` (networks without
    pulses, the default, run the loops they ran before the pulse model). Nothing is written twice.
    """
    env = dict(globals())
    env["PULSES"] = pulses
    source = _step_neurons_source
    name = "_step_neurons_pulses" if pulses else "_step_neurons"
    clone = types.FunctionType(source.__code__, env, name, source.__defaults__, source.__closure__)
    clone.__qualname__ = name
    clone.__doc__ = source.__doc__
    return _jit(clone)


#: The step function for networks without pulses (``PULSES`` False) and with pulses.
_step_neurons = _compile_step(False)
_step_neurons_pulses = _compile_step(True)


@_jit
def _step(
    pulses: bool, t0: float, t1: float, h: float, u_mem: np.ndarray, state: np.ndarray, tab: Any, logs: np.ndarray,
    taus: np.ndarray, full: np.ndarray, half: np.ndarray, refr_until: np.ndarray, head: np.ndarray,
    ev_t: np.ndarray, ev_syn: np.ndarray, ev_jump: np.ndarray, ev_next: np.ndarray, spk_i: np.ndarray,
    spk_t: np.ndarray, event_neuron: int, log_t: np.ndarray, log_y: np.ndarray, counts: np.ndarray,
    neurons: np.ndarray, caps: np.ndarray, work: Any, ev_pulse: np.ndarray, pulse: Any,
) -> tuple:
    """The step function of the network: with pulses if ``pulses``."""
    if pulses:
        return _step_neurons_pulses(
            t0, t1, h, u_mem, state, tab, logs, taus, full, half, refr_until, head, ev_t, ev_syn, ev_jump, ev_next,
            spk_i, spk_t, event_neuron, log_t, log_y, counts, neurons, caps, work, ev_pulse, pulse,
        )
    return _step_neurons(
        t0, t1, h, u_mem, state, tab, logs, taus, full, half, refr_until, head, ev_t, ev_syn, ev_jump, ev_next,
        spk_i, spk_t, event_neuron, log_t, log_y, counts, neurons, caps, work, ev_pulse, pulse,
    )


@_jit
def _same_spikes(a_i: np.ndarray, a_t: np.ndarray, b_i: np.ndarray, b_t: np.ndarray) -> bool:
    """Whether two lists of spikes (neuron, time) hold the same spikes, times equal to 2 CROSSING_TOL."""
    if a_i.size != b_i.size:
        return False
    oa = np.argsort(a_i, kind="mergesort")  # each neuron's spikes stay in time order
    ob = np.argsort(b_i, kind="mergesort")
    for q in range(a_i.size):
        if a_i[oa[q]] != b_i[ob[q]] or abs(a_t[oa[q]] - b_t[ob[q]]) > 2.0 * CROSSING_TOL:
            return False
    return True


@_jit
def _merge_events(
    redo: np.ndarray, spk_src: np.ndarray, spk_time: np.ndarray, rec_ptr: np.ndarray, rec_post: np.ndarray,
    rec_syn: np.ndarray, rec_jump: np.ndarray, head: np.ndarray, head2: np.ndarray, n_ev: int, ev_t: np.ndarray,
    ev_syn: np.ndarray, ev_jump: np.ndarray, ev_next: np.ndarray, rec_pulse: np.ndarray, ev_pulse: np.ndarray,
) -> tuple:
    """Event lists (``head2``) of the neurons ``redo``: their input events and this step's recurrent spikes.

    The recurrent spike of neuron ``src`` at ``t`` reaches each target at
    ``t`` (the reference's order: reset, then delivery). The merged lists are
    written after the ``n_ev`` input events of the step, in time order.
    """
    # the recurrent events (target, time, synapse, jump), grouped by target, each group in time order
    m = 0
    for q in range(spk_src.size):
        m += rec_ptr[spk_src[q] + 1] - rec_ptr[spk_src[q]]
    r_post = np.empty(m, np.int64)
    r_t = np.empty(m)
    r_syn = np.empty(m, np.int64)
    r_jump = np.empty(m)
    r_pulse = np.empty(m)
    m = 0
    for q in range(spk_src.size):
        for c in range(rec_ptr[spk_src[q]], rec_ptr[spk_src[q] + 1]):
            r_post[m], r_t[m], r_syn[m], r_jump[m] = rec_post[c], spk_time[q], rec_syn[c], rec_jump[c]
            r_pulse[m] = rec_pulse[c]
            m += 1
    by_time = np.argsort(r_t, kind="mergesort")
    order = by_time[np.argsort(r_post[by_time], kind="mergesort")]
    posts = r_post[order]
    total = n_ev + m
    for j in redo:
        e = head[j]
        while e >= 0:
            total += 1
            e = ev_next[e]
    ev_t, ev_syn = _grow(ev_t, total), _grow(ev_syn, total)
    ev_jump, ev_next = _grow(ev_jump, total), _grow(ev_next, total)
    ev_pulse = _grow(ev_pulse, total)
    w = n_ev
    for j in redo:
        head2[j] = -1
        last = -1
        e = head[j]
        qi = np.searchsorted(posts, j, side="left")
        q_end = np.searchsorted(posts, j, side="right")
        while e >= 0 or qi < q_end:  # merge two lists in time order: inputs of j, recurrent spikes onto j
            if qi < q_end and (e < 0 or r_t[order[qi]] < ev_t[e]):
                o = order[qi]
                ev_t[w], ev_syn[w], ev_jump[w], ev_pulse[w] = r_t[o], r_syn[o], r_jump[o], r_pulse[o]
                qi += 1
            else:
                ev_t[w], ev_syn[w], ev_jump[w], ev_pulse[w] = ev_t[e], ev_syn[e], ev_jump[e], ev_pulse[e]
                e = ev_next[e]
            ev_next[w] = -1
            if last < 0:
                head2[j] = w
            else:
                ev_next[last] = w
            last = w
            w += 1
    return ev_t, ev_syn, ev_jump, ev_next, ev_pulse


@_jit
def run_kernel(
    state: np.ndarray,
    tab: Any,
    h: float,
    n_steps: int,
    duration: float,
    in_src: np.ndarray,
    in_t: np.ndarray,
    ext_ptr: np.ndarray,
    ext_post: np.ndarray,
    ext_syn: np.ndarray,
    ext_jump: np.ndarray,
    rec_ptr: np.ndarray,
    rec_post: np.ndarray,
    rec_syn: np.ndarray,
    rec_jump: np.ndarray,
    sample_every: int,
    record: np.ndarray,
    samples: np.ndarray,
    event_neuron: int,
    max_spikes: int,
    min_relaxation: float,
    relaxation_bounds: np.ndarray,
    ext_pulse: np.ndarray,
    rec_pulse: np.ndarray,
) -> tuple:
    """Integrate ``state`` (6, N) in place from 0 to ``duration``.

    Input spikes ``in_src``/``in_t`` (sorted by time) reach neurons through
    the CSR projection ``ext_*`` (``ext_jump`` = current added, A); output
    spikes through ``rec_*``. Every ``sample_every`` steps the state of the
    neurons ``record`` is written to ``samples`` (T, 6, n_rec) (row 0 = t = 0).
    If ``event_neuron`` >= 0, that neuron is also sampled just before and
    after each of its input and output spikes. ``ext_pulse``, ``rec_pulse``: the input current of
    each connection's pulse (A; 0 where the target takes instant jumps,
    :func:`~dynapse_edu.core.dynamics.input_pulse_currents`); the pulse widths are the table's
    ``t_pulse`` and ``t_pulse_ahp`` (NaN: none).

    The limits of :mod:`dynapse_edu.engines.limits` stop the run at the end of a step (the caller
    refuses the setting): a neuron that fires more than ``max_spikes`` spikes, or whose membrane,
    right after an input or output spike, relaxes faster than ``min_relaxation`` s (checked only above
    ``relaxation_bounds``, :func:`~dynapse_edu.engines.limits.relaxation_bound` of each neuron, A).

    Returns spike neuron indices, spike times (each neuron's in time order), event-sample
    times, event-sample states (k, 6), ``stop`` = (neuron, its spike count, time of its
    last spike) and ``guard`` = (min_relaxation, neuron, time, relaxation); neuron -1 in each
    when the run went to its end.
    """
    n = state.shape[1]
    # per-neuron constants: time constants, decay factors of a whole and a half step
    taus = np.empty((n, 5))
    full = np.empty((n, 5))
    half = np.empty((n, 5))
    for i in range(n):
        taus[i, 0] = tab.tau_ahp[i]
        for k in range(4):
            taus[i, k + 1] = tab.tau_syn[k, i]
        for k in range(5):
            full[i, k] = math.exp(-h / taus[i, k])
            half[i, k] = math.exp(-0.5 * h / taus[i, k])
    # the pulse extenders (dynamics.Pulses): start, end, current; widths, I_g, I_tau per row; whether any;
    # the output exponents per row
    widths = np.full((n, 5), -1.0)
    gs = np.empty((n, 5))
    itaus = np.empty((n, 5))
    gammas = np.empty((n, 5))
    has_pulse = np.zeros(n, np.bool_)
    for i in range(n):
        if tab.t_pulse_ahp[i] == tab.t_pulse_ahp[i]:  # (not NaN)
            widths[i, 0] = tab.t_pulse_ahp[i]
            has_pulse[i] = True
        if tab.t_pulse[i] == tab.t_pulse[i]:
            for k in range(1, 5):
                widths[i, k] = tab.t_pulse[i]
            has_pulse[i] = True
        for k in range(5):
            gs[i, k] = tab.I_g_decay[k, i]
            itaus[i, k] = tab.I_tau_decay[k, i]
            gammas[i, k] = tab.gamma_decay[k, i]
    pulse = (
        np.full((n, 5), -np.inf), np.full((n, 5), -np.inf), np.zeros((n, 5)), widths, gs, itaus, has_pulse,
        bool(has_pulse.any()), gammas,
    )
    fastest = np.empty(n)  # FOLLOW x the shortest adaptation or synapse time constant of each neuron
    for i in range(n):
        fastest[i] = FOLLOW * min(taus[i, 0], taus[i, 1], taus[i, 2], taus[i, 3], taus[i, 4])
    refr_until = np.full(n, -np.inf)
    caps = np.full(n, h)  # per neuron, the longest membrane sub-step to try next (h, or less where u changes fast)
    u_mem = np.empty(n)  # the membrane in the log domain, ln I_mem
    logs = np.empty((2, n))  # ln I_th, ln I0
    for i in range(n):
        u_mem[i] = math.log(_floor(state[0, i], tab.I0[i]))
        logs[0, i] = math.log(tab.I_th[i])
        logs[1, i] = math.log(tab.I0[i])
    # the input events of one step, as one linked list per neuron (in time order)
    ev_t = np.empty(64)
    ev_syn = np.empty(64, np.int64)
    ev_jump = np.empty(64)
    ev_pulse = np.empty(64)
    ev_next = np.empty(64, np.int64)
    head = np.full(n, -1, np.int64)
    tail = np.full(n, -1, np.int64)
    touched = np.empty(n, np.int64)

    spk_i = np.empty(1024, np.int64)
    spk_t = np.empty(1024)
    log_t = np.empty(64)
    log_y = np.empty((64, 6))
    counts = np.zeros(2, np.int64)  # spikes, event samples
    all_neurons = np.arange(n)
    recurrent = rec_ptr[n] > 0
    n_keep = n if recurrent else 0  # the start-of-step copies are needed only with recurrent connections
    u0 = np.empty(n_keep)
    s0 = np.empty((6, n_keep))
    r0 = np.empty(n_keep)
    c0 = np.empty(n_keep)
    l0 = np.empty(n_keep, np.int64)
    pulse0 = (np.empty((n_keep, 5)), np.empty((n_keep, 5)), np.empty((n_keep, 5)))
    log0 = 0
    dirty = np.zeros(n_keep, np.bool_)
    head2 = np.full(n_keep, -1, np.int64)
    lag = np.zeros(n, np.int64)  # whole steps whose decay a neuron still owes (refractory, without input)
    work = (  # per-neuron scratch of _step_neurons
        np.empty(n), np.empty(n, np.int64), np.empty(n), np.empty(n), np.zeros(n, np.bool_),
        np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64), lag,
        np.array([min_relaxation, -1.0, 0.0, 0.0]), fastest, relaxation_bounds,
    )

    n_rec = record.shape[0]
    if samples.shape[0] > 0:
        for r in range(n_rec):
            for row in range(6):
                samples[0, row, r] = state[row, record[r]]
    k_in = 0
    n_in = in_t.shape[0]
    fired = np.zeros(n, np.int64)  # spikes per neuron so far (the limit max_spikes)
    stop = np.array([-1.0, 0.0, 0.0])
    for step in range(n_steps):
        t0 = step * h
        t1 = min((step + 1) * h, duration)
        # --- gather the input spikes of [t0, t1) ---------------------------------
        n_ev = 0
        n_touched = 0
        while k_in < n_in and in_t[k_in] < t1:
            src = in_src[k_in]
            need = n_ev + ext_ptr[src + 1] - ext_ptr[src]
            ev_t, ev_syn, ev_jump, ev_next = (
                _grow(ev_t, need), _grow(ev_syn, need), _grow(ev_jump, need), _grow(ev_next, need)
            )
            ev_pulse = _grow(ev_pulse, need)
            for c in range(ext_ptr[src], ext_ptr[src + 1]):
                j = ext_post[c]
                ev_t[n_ev] = in_t[k_in]
                ev_syn[n_ev] = ext_syn[c]
                ev_jump[n_ev] = ext_jump[c]
                ev_pulse[n_ev] = ext_pulse[c]
                ev_next[n_ev] = -1
                if head[j] < 0:
                    head[j] = n_ev
                    touched[n_touched] = j
                    n_touched += 1
                else:
                    ev_next[tail[j]] = n_ev
                tail[j] = n_ev
                n_ev += 1
            k_in += 1
        first_spike = counts[0]
        if recurrent:  # the state at t0, to integrate again the targets of this step's spikes
            u0[:] = u_mem
            s0[:] = state
            r0[:] = refr_until
            c0[:] = caps
            l0[:] = lag
            pulse0[0][:] = pulse[0]
            pulse0[1][:] = pulse[1]
            pulse0[2][:] = pulse[2]
            log0 = counts[1]
        # --- every neuron, on its own, from t0 to t1 -------------------------------
        spk_i, spk_t, log_t, log_y = _step(
            pulse[7], t0, t1, h, u_mem, state, tab, logs, taus, full, half, refr_until, head, ev_t, ev_syn, ev_jump,
            ev_next, spk_i, spk_t, event_neuron, log_t, log_y, counts, all_neurons, caps, work, ev_pulse, pulse,
        )
        # --- spikes onto neurons, at their exact times: integrate the targets again ---
        used_i = np.empty(0, np.int64)  # the spikes whose events the targets have received
        used_t = np.empty(0)
        for _ in range(MAX_REDO):
            if not recurrent or counts[0] == first_spike and used_i.size == 0:
                break
            now_i = spk_i[first_spike : counts[0]].copy()
            now_t = spk_t[first_spike : counts[0]].copy()
            if _same_spikes(now_i, now_t, used_i, used_t):
                break  # every target integrated with the spikes that happened: consistent
            # the targets of the old and the new spikes start the step again
            dirty[:] = False
            for src in np.concatenate((now_i, used_i)):
                for c in range(rec_ptr[src], rec_ptr[src + 1]):
                    dirty[rec_post[c]] = True
            redo = np.flatnonzero(dirty)
            keep = 0
            for q in range(first_spike, counts[0]):
                if not dirty[spk_i[q]]:
                    spk_i[first_spike + keep] = spk_i[q]
                    spk_t[first_spike + keep] = spk_t[q]
                    keep += 1
            counts[0] = first_spike + keep
            for j in redo:
                u_mem[j] = u0[j]
                state[:, j] = s0[:, j]
                refr_until[j] = r0[j]
                caps[j] = c0[j]
                lag[j] = l0[j]
                pulse[0][j, :] = pulse0[0][j, :]
                pulse[1][j, :] = pulse0[1][j, :]
                pulse[2][j, :] = pulse0[2][j, :]
                if j == event_neuron:
                    counts[1] = log0
            ev_t, ev_syn, ev_jump, ev_next, ev_pulse = _merge_events(
                redo, now_i, now_t, rec_ptr, rec_post, rec_syn, rec_jump, head, head2, n_ev, ev_t, ev_syn,
                ev_jump, ev_next, rec_pulse, ev_pulse,
            )
            spk_i, spk_t, log_t, log_y = _step(
                pulse[7], t0, t1, h, u_mem, state, tab, logs, taus, full, half, refr_until, head2, ev_t, ev_syn,
                ev_jump, ev_next, spk_i, spk_t, event_neuron, log_t, log_y, counts, redo, caps, work, ev_pulse, pulse,
            )
            used_i, used_t = now_i, now_t
        for q in range(n_touched):
            head[touched[q]] = -1
        for q in range(first_spike, counts[0]):
            j = spk_i[q]
            fired[j] += 1
            if fired[j] > max_spikes and stop[0] < 0:
                stop[0], stop[1], stop[2] = j, fired[j], spk_t[q]
        if stop[0] >= 0 or work[9][1] >= 0:
            break
        if sample_every > 0 and (step + 1) % sample_every == 0:
            row_s = (step + 1) // sample_every
            if row_s < samples.shape[0]:
                for r in range(n_rec):
                    j = record[r]
                    samples[row_s, 0, r] = math.exp(u_mem[j])
                    for c in range(5):  # (with the decay a refractory neuron still owes, state left as it is)
                        I = state[c + 1, j]
                        if lag[j] > 0 and I > tab.I0[j]:
                            I = _decay_exact(I, math.exp(-(lag[j] * h) / taus[j, c]), tab.I0[j])
                        samples[row_s, c + 1, r] = I
    for i in range(n):
        state[0, i] = math.exp(u_mem[i])
        if lag[i] > 0:
            _settle(state, i, lag, taus, h, tab.I0[i])
    return spk_i[: counts[0]], spk_t[: counts[0]], log_t[: counts[1]], log_y[: counts[1]], stop, work[9]


def as_table(table: Any) -> Table:
    """The kernel's view of a :class:`~dynapse_edu.core.dynamics.NeuronTable`: contiguous float arrays."""
    return Table(*(np.ascontiguousarray(getattr(table, name), dtype=float) for name in TABLE_FIELDS))


__all__ = [
    "HAVE_NUMBA", "PHYSICS", "INLINE", "COMPILED", "PHYSICS_HASH", "physics_hash", "SOMA_FIELDS", "Soma", "Table",
    "membrane_rate", "log_rate", "membrane_step", "advance", "crossing", "run_kernel", "as_table", "follow_limit",
    "FOLLOW", "NO_DRIVE",
]
