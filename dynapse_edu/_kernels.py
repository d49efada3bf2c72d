r"""Compiled kernels of the fast engine (:mod:`dynapse_edu.fast`).

No physics is written here. The soma equations are the functions of
:mod:`dynapse_edu.neuron` (:func:`~dynapse_edu.neuron.soma_input`,
:func:`~dynapse_edu.neuron.leak_sum`, :func:`~dynapse_edu.neuron.membrane_derivative`,
...), compiled by numba from *their own bytecode* (:func:`_compile_physics`):
the substitutions are ``scipy.special.expit``, which numba cannot compile,
by the same logistic function written with one ``exp``, and ``np.asarray`` /
``np.maximum`` by their scalar forms (no 0-d array per call). The synapse and
adaptation currents obey the linear decay of :func:`dynapse_edu.synapse.dpi_decay`
(``dI/dt = -I / tau`` down to the floor I0), whose exact solution
``max(I exp(-t / tau), I0)`` is what :func:`_decay` applies; input jumps are
the ``jump_syn * weight`` of :func:`dynapse_edu.dynamics.deliver_spikes` and the
output spike is :func:`dynapse_edu.dynamics.reset`. ``tests/test_fast.py``
checks the compiled right-hand side against :func:`dynapse_edu.dynamics.derivatives`
to rounding error.

Without numba the same functions run as plain Python (correct, slow: for
small networks only).

The scheme (one neuron, one step)
---------------------------------
Time advances on a fixed grid of step ``h``. Inside a step each neuron is
integrated on its own, cut into sub-steps at the exact times of its input
spikes and of the end of its refractory period:

* synapse and adaptation currents decay exactly, ``I <- max(I e^{-s/tau}, I0)``,
  so their values are exact at every time, whatever ``h``;
* the membrane is integrated in the log domain, ``u = ln I_mem`` (the DPI's
  capacitor voltage up to a factor ``U_T / kappa``), with the classical
  4-stage Runge-Kutta scheme; the synaptic currents at the stage times are
  the exact ones. A step is shortened where ``u`` changes fast: to
  0.9 :data:`DU_MAX` / |du/dt| when its first stage predicts a change of
  ``u`` by more than :data:`DU_MAX` (before the other three stages are
  computed), and halved and retried when the step still changes ``u`` by more
  than that; each neuron keeps its step length from one grid step to the next
  and doubles it after each accepted sub-step, up to ``h`` (where a strong
  input makes the membrane leave its
  exponential rise within microseconds). In ``u`` the exponential growth of a DPI from rest
  (``I_mem`` well below ``I_g``: ``I_mem ~ e^{lambda t}``, lambda up to
  1/(16 us) under strong input) is a straight line, which the step follows
  without error; that is why a 50 us step gives spike times within about
  4 us of a tight reference, and the default 100 us step within 30 us of
  the default one (``benchmarks/README.md``);
* a threshold crossing inside a sub-step is located by the Illinois variant
  of regula falsi on ``u(t) - ln I_th``, each trial point re-integrated from
  the sub-step's start (to :data:`CROSSING_TOL` = 100 ns);
* spikes of neurons onto neurons (recurrent connections) reach their
  targets at their exact times: after a step in which neurons spiked, the
  targets start the step again from their saved state, with the spikes
  merged into their input events, until the step's spikes no longer change
  (to 2 :data:`CROSSING_TOL`; at most :data:`MAX_REDO` passes, usually 2).
"""

from __future__ import annotations

import collections
import hashlib
import math
import types
from pathlib import Path
from typing import Any

import numpy as np

from . import neuron

try:  # numba is optional: without it the kernels run as plain Python (slow)
    import numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised in a subprocess test without numba
    numba = None
    HAVE_NUMBA = False


def _physics_hash() -> str:
    """A short hash of the code compiled into the kernels: :mod:`dynapse_edu.neuron` and this file."""
    digest = hashlib.sha256(Path(neuron.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


#: Salt of the compiled kernels' cache names: a change of neuron.py (or of this file) gives new names.
PHYSICS_HASH = _physics_hash()


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
    a function it calls from another file does; the kernels inline the soma
    functions of :mod:`dynapse_edu.neuron` (compiled with substitutions made
    here), so every cached name carries :data:`PHYSICS_HASH`, a hash of
    ``neuron.py`` and of this file: edit either and the kernels are compiled
    afresh, never loaded stale.
    """
    if not HAVE_NUMBA:
        return f
    f.__qualname__ = f"{f.__qualname__}_{PHYSICS_HASH}"
    return numba.njit(f, error_model="numpy", nogil=True, cache=True, fastmath=FASTMATH)


#: The per-neuron parameters the soma functions of :mod:`dynapse_edu.neuron` read.
SOMA_FIELDS: tuple[str, ...] = (
    "I0", "I_const", "I_nmda_thr", "I_pfb_gain", "I_pfb_th", "I_pfb_norm", "I_tau_mem", "alpha_mem", "tau_mem",
)
Soma = collections.namedtuple("Soma", SOMA_FIELDS)

#: Spike times are located to this precision, s (10 ns costs 5 % more for nothing: the step's own error is
#: microseconds).
CROSSING_TOL = 1e-7
#: Largest change of ln I_mem in one membrane step: a step whose first stage predicts more is
#: shortened before the other stages, a step that changes it more is halved (and retried), down
#: to :data:`MIN_SUBSTEP`. Under a strong input the membrane leaves its exponential
#: rise within microseconds; this keeps those spikes accurate (benchmarks/README.md).
DU_MAX = 1.0
#: Shortest membrane sub-step, s.
MIN_SUBSTEP = 1e-8
#: Most passes over the targets of one step's recurrent spikes (each pass takes in the spikes of the last).
MAX_REDO = 100

#: Every per-neuron array the kernel reads (rows of :class:`~dynapse_edu.dynamics.NeuronTable`).
TABLE_FIELDS: tuple[str, ...] = SOMA_FIELDS + ("I_th", "I_reset", "t_ref", "tau_ahp", "jump_ahp", "tau_syn")
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


#: What ``np`` means inside the compiled soma functions: the three numpy functions they call, on floats.
_scalar_np = types.ModuleType("dynapse_edu._kernels.scalar_numpy")
_scalar_np.asarray = _asarray
_scalar_np.maximum = _maximum


#: The functions of :mod:`dynapse_edu.neuron` the fast engine compiles, callees first.
PHYSICS: tuple[str, ...] = (
    "floor", "positive_feedback", "nmda_gate", "soma_input", "leak_sum", "membrane_derivative",
)


def _compile_physics() -> dict[str, Any]:
    """Compile the soma functions of :mod:`dynapse_edu.neuron` from their own bytecode.

    Each function is rebuilt with the same code object and a copy of its
    module's globals in which its callees are the compiled versions,
    ``expit`` is :func:`_expit` and ``np.asarray`` / ``np.maximum`` are their
    scalar forms (:data:`_scalar_np`); numba then compiles that. Nothing is
    retyped.
    """
    env = dict(vars(neuron))
    env["expit"] = _expit
    env["np"] = _scalar_np
    compiled = {}
    for name in PHYSICS:
        f = getattr(neuron, name)
        clone = types.FunctionType(f.__code__, env, f.__name__, f.__defaults__, f.__closure__)
        clone.__doc__ = f.__doc__
        compiled[name] = _jit(clone)
        env[name] = compiled[name]
    return compiled


_PHYS = _compile_physics()
_floor = _PHYS["floor"]
_soma_input = _PHYS["soma_input"]
_leak_sum = _PHYS["leak_sum"]
_membrane_derivative = _PHYS["membrane_derivative"]


@_jit
def soma(tab: Any, i: int) -> Any:
    """The soma parameters of neuron ``i`` as a :data:`Soma` tuple of floats."""
    return Soma(
        tab.I0[i], tab.I_const[i], tab.I_nmda_thr[i], tab.I_pfb_gain[i], tab.I_pfb_th[i],
        tab.I_pfb_norm[i], tab.I_tau_mem[i], tab.alpha_mem[i], tab.tau_mem[i],
    )


@_jit
def membrane_rate(I_mem: float, I_ahp: float, ampa: float, nmda: float, gaba_a: float, gaba_b: float, p: Any) -> float:
    """dI_mem/dt of one neuron, in A/s: the MEM row of :func:`dynapse_edu.dynamics.derivatives`, compiled."""
    I_mem = _floor(I_mem, p.I0)
    I_in, _ = _soma_input(I_mem, (ampa, nmda, gaba_a, gaba_b), p)
    I_sum = _leak_sum(I_mem, I_ahp, gaba_a, p)
    return _membrane_derivative(I_mem, I_in, I_sum, p)


@_jit
def _decay(I: float, factor: float, I0: float) -> float:
    """Exact solution of dI/dt = -I / tau held at the floor I0, after a time s: factor = exp(-s / tau)."""
    return max(I * factor, I0)


@_jit
def _log_rate(u: float, I_ahp: float, a: float, n: float, ga: float, gb: float, p: Any) -> float:
    """du/dt with u = ln I_mem; the leakage floor holds u at ln I0 while the rate points down.

    A trial stage of a far too long step can reach absurd u: I_mem is capped
    at 1 A there (no overflow; such a step changes u by far more than
    :data:`DU_MAX` and is halved).
    """
    I_mem = math.exp(min(u, 0.0))
    r = membrane_rate(I_mem, I_ahp, a, n, ga, gb, p) / max(I_mem, p.I0)
    if I_mem <= p.I0 and r < 0.0:
        return 0.0
    return r


@_jit
def membrane_step(u: float, s: float, y0: Any, ym: Any, y1: Any, p: Any, log_I0: float) -> float:
    """One RK4 step of length ``s`` of u = ln I_mem, with the exact currents ``y`` = (ahp, 4 synapses).

    ``y0``, ``ym``, ``y1`` hold the adaptation and synapse currents at the start,
    middle and end of the step (exact: they decay in closed form).
    """
    return membrane_step_from(u, _log_rate(u, y0[0], y0[1], y0[2], y0[3], y0[4], p), s, ym, y1, p, log_I0)


@_jit
def membrane_step_from(u: float, k1: float, s: float, ym: Any, y1: Any, p: Any, log_I0: float) -> float:
    """:func:`membrane_step` given its first stage ``k1`` = du/dt at the start (computed to choose ``s``)."""
    k2 = _log_rate(u + 0.5 * s * k1, ym[0], ym[1], ym[2], ym[3], ym[4], p)
    k3 = _log_rate(u + 0.5 * s * k2, ym[0], ym[1], ym[2], ym[3], ym[4], p)
    k4 = _log_rate(u + s * k3, y1[0], y1[1], y1[2], y1[3], y1[4], p)
    return max(u + s * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0, log_I0)


@_jit
def _rates4(u: Any, y: Any, p: Any) -> Any:
    """:func:`_log_rate` of 4 neurons at once (independent chains the processor overlaps)."""
    return (
        _log_rate(u[0], y[0][0], y[0][1], y[0][2], y[0][3], y[0][4], p[0]),
        _log_rate(u[1], y[1][0], y[1][1], y[1][2], y[1][3], y[1][4], p[1]),
        _log_rate(u[2], y[2][0], y[2][1], y[2][2], y[2][3], y[2][4], p[2]),
        _log_rate(u[3], y[3][0], y[3][1], y[3][2], y[3][3], y[3][4], p[3]),
    )


@_jit
def _axpy4(u: Any, a: float, k: Any) -> Any:
    return (u[0] + a * k[0], u[1] + a * k[1], u[2] + a * k[2], u[3] + a * k[3])


@_jit
def membrane_step4(u: Any, s: float, y0: Any, ym: Any, y1: Any, p: Any, log_I0: Any) -> Any:
    """:func:`membrane_step` of 4 neurons, stage by stage (the same arithmetic, bit for bit).

    A stage of one neuron is a chain of dependent divisions and exponentials;
    four independent chains side by side run about twice as fast.
    """
    return membrane_step4_from(u, _rates4(u, y0, p), s, ym, y1, p, log_I0)


@_jit
def membrane_step4_from(u: Any, k1: Any, s: float, ym: Any, y1: Any, p: Any, log_I0: Any) -> Any:
    """:func:`membrane_step4` given its first stage ``k1`` (as :func:`membrane_step_from`)."""
    k2 = _rates4(_axpy4(u, 0.5 * s, k1), ym, p)
    k3 = _rates4(_axpy4(u, 0.5 * s, k2), ym, p)
    k4 = _rates4(_axpy4(u, s, k3), y1, p)
    return (
        max(u[0] + s * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]) / 6.0, log_I0[0]),
        max(u[1] + s * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]) / 6.0, log_I0[1]),
        max(u[2] + s * (k1[2] + 2.0 * k2[2] + 2.0 * k3[2] + k4[2]) / 6.0, log_I0[2]),
        max(u[3] + s * (k1[3] + 2.0 * k2[3] + 2.0 * k3[3] + k4[3]) / 6.0, log_I0[3]),
    )


@_jit
def _whole_steps4(
    b: np.ndarray, s: float, u_mem: np.ndarray, state: np.ndarray, tab: Any, logs: np.ndarray, full: np.ndarray,
    half: np.ndarray,
) -> Any:
    """A whole free step ``s`` (no input, not refractory) of the 4 neurons ``b``, committed where it is accepted.

    Returns, per neuron, True if it reached threshold or if the step's first
    stage predicted, or the step made, a change of ln I_mem by more than
    :data:`DU_MAX` (the test of :func:`_step_neurons`, so that a neuron's
    result does not depend on its batch); then nothing was changed: the caller integrates
    it on its own, in shorter steps or locating the spike).
    """
    I0 = (tab.I0[b[0]], tab.I0[b[1]], tab.I0[b[2]], tab.I0[b[3]])
    y0 = (
        (state[1, b[0]], state[2, b[0]], state[3, b[0]], state[4, b[0]], state[5, b[0]]),
        (state[1, b[1]], state[2, b[1]], state[3, b[1]], state[4, b[1]], state[5, b[1]]),
        (state[1, b[2]], state[2, b[2]], state[3, b[2]], state[4, b[2]], state[5, b[2]]),
        (state[1, b[3]], state[2, b[3]], state[3, b[3]], state[4, b[3]], state[5, b[3]]),
    )
    ym = (
        _scaled(y0[0], (half[b[0], 0], half[b[0], 1], half[b[0], 2], half[b[0], 3], half[b[0], 4]), I0[0]),
        _scaled(y0[1], (half[b[1], 0], half[b[1], 1], half[b[1], 2], half[b[1], 3], half[b[1], 4]), I0[1]),
        _scaled(y0[2], (half[b[2], 0], half[b[2], 1], half[b[2], 2], half[b[2], 3], half[b[2], 4]), I0[2]),
        _scaled(y0[3], (half[b[3], 0], half[b[3], 1], half[b[3], 2], half[b[3], 3], half[b[3], 4]), I0[3]),
    )
    y1 = (
        _scaled(y0[0], (full[b[0], 0], full[b[0], 1], full[b[0], 2], full[b[0], 3], full[b[0], 4]), I0[0]),
        _scaled(y0[1], (full[b[1], 0], full[b[1], 1], full[b[1], 2], full[b[1], 3], full[b[1], 4]), I0[1]),
        _scaled(y0[2], (full[b[2], 0], full[b[2], 1], full[b[2], 2], full[b[2], 3], full[b[2], 4]), I0[2]),
        _scaled(y0[3], (full[b[3], 0], full[b[3], 1], full[b[3], 2], full[b[3], 3], full[b[3], 4]), I0[3]),
    )
    p = (soma(tab, b[0]), soma(tab, b[1]), soma(tab, b[2]), soma(tab, b[3]))
    u0 = (u_mem[b[0]], u_mem[b[1]], u_mem[b[2]], u_mem[b[3]])
    k1 = _rates4(u0, y0, p)
    u1 = membrane_step4_from(u0, k1, s, ym, y1, p, (logs[1, b[0]], logs[1, b[1]], logs[1, b[2]], logs[1, b[3]]))
    crossed = (  # as in _step_neurons: a step with |k1| s or |u1 - u0| above DU_MAX is not taken
        u1[0] >= logs[0, b[0]] or not (abs(u1[0] - u0[0]) <= DU_MAX and abs(k1[0]) * s <= DU_MAX),
        u1[1] >= logs[0, b[1]] or not (abs(u1[1] - u0[1]) <= DU_MAX and abs(k1[1]) * s <= DU_MAX),
        u1[2] >= logs[0, b[2]] or not (abs(u1[2] - u0[2]) <= DU_MAX and abs(k1[2]) * s <= DU_MAX),
        u1[3] >= logs[0, b[3]] or not (abs(u1[3] - u0[3]) <= DU_MAX and abs(k1[3]) * s <= DU_MAX),
    )
    for q in range(4):
        if not crossed[q]:
            i = b[q]
            u_mem[i] = u1[q]
            for k in range(5):
                state[k + 1, i] = y1[q][k]
    return crossed


@_jit
def _scaled(y: Any, f: Any, I0: float) -> Any:
    """(ahp, 4 synapses) after exact decay by the factors ``f`` = exp(-s / tau) each."""
    return (
        _decay(y[0], f[0], I0), _decay(y[1], f[1], I0), _decay(y[2], f[2], I0),
        _decay(y[3], f[3], I0), _decay(y[4], f[4], I0),
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
def _roots(f: Any) -> Any:
    """Square roots of decay factors: exp(-s / tau) -> exp(-s / (2 tau)), the factors of half the time."""
    return (math.sqrt(f[0]), math.sqrt(f[1]), math.sqrt(f[2]), math.sqrt(f[3]), math.sqrt(f[4]))


@_jit
def _advance(u: float, y: Any, s: float, taus: Any, p: Any, log_I0: float) -> float:
    """ln I_mem after a sub-step of length ``s`` of the free membrane, from (u, y)."""
    f = _factors(s, taus, y, p.I0)
    ym = _scaled(y, _roots(f), p.I0)
    y1 = _scaled(y, f, p.I0)
    return membrane_step(u, s, y, ym, y1, p, log_I0)


@_jit
def _crossing(u: float, y: Any, s_hi: float, u_hi: float, log_th: float, taus: Any, p: Any, log_I0: float) -> float:
    """Time after the sub-step's start at which u reaches ln I_th (Illinois regula falsi, to :data:`CROSSING_TOL`)."""
    s_lo, g_lo, g_hi = 0.0, u - log_th, u_hi - log_th
    side = 0
    for _ in range(60):
        if s_hi - s_lo <= CROSSING_TOL:
            break
        s = (s_lo * g_hi - s_hi * g_lo) / (g_hi - g_lo)
        if not (s_lo < s < s_hi):
            s = 0.5 * (s_lo + s_hi)
        g = _advance(u, y, s, taus, p, log_I0) - log_th
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
def _log(log_t: np.ndarray, log_y: np.ndarray, counts: np.ndarray, t: float, I_mem: float, y: Any) -> tuple:
    """Append one event sample (t, I_mem, ahp, 4 synapses) to the event log (``counts[1]`` entries)."""
    n_log = counts[1]
    log_t = _grow(log_t, n_log + 1)
    log_y = _grow_rows(log_y, n_log + 1)
    log_t[n_log] = t
    log_y[n_log, 0] = I_mem
    for k in range(5):
        log_y[n_log, k + 1] = y[k]
    counts[1] = n_log + 1
    return log_t, log_y


@_jit
def _step_neurons(
    t0: float, t1: float, h: float, u_mem: np.ndarray, state: np.ndarray, tab: Any, logs: np.ndarray,
    taus: np.ndarray, full: np.ndarray, half: np.ndarray, refr_until: np.ndarray, head: np.ndarray,
    ev_t: np.ndarray, ev_syn: np.ndarray, ev_jump: np.ndarray, ev_next: np.ndarray, spk_i: np.ndarray,
    spk_t: np.ndarray, event_neuron: int, log_t: np.ndarray, log_y: np.ndarray, counts: np.ndarray,
    neurons: np.ndarray, caps: np.ndarray,
) -> tuple:
    """Integrate the ``neurons`` (indices) from t0 to t1, in place.

    Neurons refractory all step long only decay; neurons free all step long
    without input take one RK4 step, four at a time (:func:`membrane_step4`);
    the others (inputs, end of refractory period, a spike) are integrated one
    by one in sub-steps.

    ``u_mem`` holds ln I_mem (the membrane row of ``state`` is not used
    here), rows 1-5 of ``state`` the adaptation and synapse currents;
    ``logs`` holds ln I_th and ln I0 per neuron; ``head[i]`` is the first of
    neuron i's input events in this step (linked by ``ev_next``).
    Returns the (possibly grown) spike and event-log buffers; ``counts`` holds their lengths.
    """
    whole_step = abs((t1 - t0) - h) <= 1e-9 * h
    general = np.empty(neurons.shape[0], np.int64)  # integrated one by one (inputs, refractory end, spikes...)
    n_general = 0
    batch = np.empty(4, np.int64)
    n_batch = 0
    for i in neurons:
        if whole_step and head[i] < 0 and i != event_neuron and caps[i] >= h:
            if refr_until[i] >= t1:  # refractory all step long, no input: only the exact decay of the currents
                for k in range(5):
                    state[k + 1, i] = max(state[k + 1, i] * full[i, k], tab.I0[i])
                continue
            if refr_until[i] <= t0:  # free all step long, no input: four at a time
                batch[n_batch] = i
                n_batch += 1
                if n_batch == 4:
                    crossed = _whole_steps4(batch, t1 - t0, u_mem, state, tab, logs, full, half)
                    for q in range(4):
                        if crossed[q]:  # a spike in this step: located below, on its own
                            general[n_general] = batch[q]
                            n_general += 1
                    n_batch = 0
                continue
        general[n_general] = i
        n_general += 1
    for q in range(n_batch):
        general[n_general] = batch[q]
        n_general += 1
    for g in range(n_general):
        i = general[g]
        p = soma(tab, i)
        log_th = logs[0, i]
        log_I0 = logs[1, i]
        e = head[i]
        logged = i == event_neuron
        u = u_mem[i]
        y = (state[1, i], state[2, i], state[3, i], state[4, i], state[5, i])
        tau_i = (taus[i, 0], taus[i, 1], taus[i, 2], taus[i, 3], taus[i, 4])
        t = t0
        s_cap = caps[i]  # the longest membrane sub-step: shortened where ln I_mem changes fast
        while True:
            tb = t1
            if e >= 0 and ev_t[e] < tb:
                tb = ev_t[e]
            if t < refr_until[i] < tb:
                tb = refr_until[i]
            if tb - t > s_cap * (1.0 + 1e-9) and refr_until[i] <= t:  # (a whole step may exceed h by rounding)
                tb = t + s_cap
            if tb > t:
                s = tb - t
                free = refr_until[i] <= t
                k1 = 0.0
                if free:  # the first RK4 stage, du/dt now: does the step change ln I_mem too much?
                    k1 = _log_rate(u, y[0], y[1], y[2], y[3], y[4], p)
                    if abs(k1) * s > DU_MAX and s > MIN_SUBSTEP:  # shorten it (before the decay factors
                        s_cap = max(0.9 * DU_MAX / abs(k1), MIN_SUBSTEP)  # and the other 3 stages)
                        continue
                whole = t == t0 and tb == t1 and abs(s - h) <= 1e-9 * h  # a whole step: decay factors known
                if whole:
                    f_full = (full[i, 0], full[i, 1], full[i, 2], full[i, 3], full[i, 4])
                else:
                    f_full = _factors(s, tau_i, y, p.I0)
                y1 = _scaled(y, f_full, p.I0)
                if not free:  # refractory: the membrane is held
                    y, t = y1, tb
                else:
                    if whole:
                        f_half = (half[i, 0], half[i, 1], half[i, 2], half[i, 3], half[i, 4])
                    else:
                        f_half = _roots(f_full)
                    u1 = membrane_step_from(u, k1, s, _scaled(y, f_half, p.I0), y1, p, log_I0)
                    if not abs(u1 - u) <= DU_MAX and s > MIN_SUBSTEP:  # ln I_mem changes too fast: halve the step
                        s_cap = 0.5 * s
                        continue
                    if u1 < log_th:
                        u, y, t = u1, y1, tb
                        s_cap = min(2.0 * s_cap, h)
                    else:  # a spike inside this sub-step: locate it, then dynamics.reset
                        s_sp = _crossing(u, y, s, u1, log_th, tau_i, p, log_I0)
                        y = _scaled(y, _factors(s_sp, tau_i, y, p.I0), p.I0)
                        t = t + s_sp
                        if logged:
                            log_t, log_y = _log(log_t, log_y, counts, t, tab.I_th[i], y)
                        u = math.log(tab.I_reset[i])
                        y = (max(y[0], p.I0) + tab.jump_ahp[i], y[1], y[2], y[3], y[4])
                        refr_until[i] = t + tab.t_ref[i]
                        s_cap = h
                        n_spk = counts[0]
                        spk_i = _grow(spk_i, n_spk + 1)
                        spk_t = _grow(spk_t, n_spk + 1)
                        spk_i[n_spk] = i
                        spk_t[n_spk] = t
                        counts[0] = n_spk + 1
                        if logged:
                            log_t, log_y = _log(log_t, log_y, counts, t, tab.I_reset[i], y)
                        continue
            # --- the input spikes at time t: dynamics.deliver_spikes --------------------
            if e >= 0 and ev_t[e] <= t:
                if logged:
                    log_t, log_y = _log(log_t, log_y, counts, t, math.exp(u), y)
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
                    e = ev_next[e]
                y = (y[0], j0, j1, j2, j3)
                if logged:
                    log_t, log_y = _log(log_t, log_y, counts, t, math.exp(u), y)
            if t >= t1:
                break
        u_mem[i] = u
        caps[i] = s_cap
        for k in range(5):
            state[k + 1, i] = y[k]
    return spk_i, spk_t, log_t, log_y


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
    ev_syn: np.ndarray, ev_jump: np.ndarray, ev_next: np.ndarray,
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
    m = 0
    for q in range(spk_src.size):
        for c in range(rec_ptr[spk_src[q]], rec_ptr[spk_src[q] + 1]):
            r_post[m], r_t[m], r_syn[m], r_jump[m] = rec_post[c], spk_time[q], rec_syn[c], rec_jump[c]
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
                ev_t[w], ev_syn[w], ev_jump[w] = r_t[o], r_syn[o], r_jump[o]
                qi += 1
            else:
                ev_t[w], ev_syn[w], ev_jump[w] = ev_t[e], ev_syn[e], ev_jump[e]
                e = ev_next[e]
            ev_next[w] = -1
            if last < 0:
                head2[j] = w
            else:
                ev_next[last] = w
            last = w
            w += 1
    return ev_t, ev_syn, ev_jump, ev_next


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
) -> tuple:
    """Integrate ``state`` (6, N) in place from 0 to ``duration``.

    Input spikes ``in_src``/``in_t`` (sorted by time) reach neurons through
    the CSR projection ``ext_*`` (``ext_jump`` = current added, A); output
    spikes through ``rec_*``. Every ``sample_every`` steps the state of the
    neurons ``record`` is written to ``samples`` (T, 6, n_rec) (row 0 = t = 0).
    If ``event_neuron`` >= 0, that neuron is also sampled just before and
    after each of its input and output spikes.

    Returns spike neuron indices, spike times (each neuron's in time order), event-sample
    times and event-sample states (k, 6).
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
    refr_until = np.full(n, -np.inf)
    caps = np.full(n, h)  # per neuron, the longest membrane sub-step to try next (h, or less where u changes fast)
    u_mem = np.empty(n)  # the membrane in the log domain, ln I_mem
    logs = np.empty((2, n))  # ln I_th, ln I0
    for i in range(n):
        u_mem[i] = math.log(max(state[0, i], tab.I0[i]))
        logs[0, i] = math.log(tab.I_th[i])
        logs[1, i] = math.log(tab.I0[i])
    # the input events of one step, as one linked list per neuron (in time order)
    ev_t = np.empty(64)
    ev_syn = np.empty(64, np.int64)
    ev_jump = np.empty(64)
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
    log0 = 0
    dirty = np.zeros(n_keep, np.bool_)
    head2 = np.full(n_keep, -1, np.int64)

    n_rec = record.shape[0]
    if samples.shape[0] > 0:
        for r in range(n_rec):
            for row in range(6):
                samples[0, row, r] = state[row, record[r]]
    k_in = 0
    n_in = in_t.shape[0]
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
            for c in range(ext_ptr[src], ext_ptr[src + 1]):
                j = ext_post[c]
                ev_t[n_ev] = in_t[k_in]
                ev_syn[n_ev] = ext_syn[c]
                ev_jump[n_ev] = ext_jump[c]
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
            log0 = counts[1]
        # --- every neuron, on its own, from t0 to t1 -------------------------------
        spk_i, spk_t, log_t, log_y = _step_neurons(
            t0, t1, h, u_mem, state, tab, logs, taus, full, half, refr_until, head, ev_t, ev_syn, ev_jump, ev_next,
            spk_i, spk_t, event_neuron, log_t, log_y, counts, all_neurons, caps,
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
                if j == event_neuron:
                    counts[1] = log0
            ev_t, ev_syn, ev_jump, ev_next = _merge_events(
                redo, now_i, now_t, rec_ptr, rec_post, rec_syn, rec_jump, head, head2, n_ev, ev_t, ev_syn,
                ev_jump, ev_next,
            )
            spk_i, spk_t, log_t, log_y = _step_neurons(
                t0, t1, h, u_mem, state, tab, logs, taus, full, half, refr_until, head2, ev_t, ev_syn, ev_jump,
                ev_next, spk_i, spk_t, event_neuron, log_t, log_y, counts, redo, caps,
            )
            used_i, used_t = now_i, now_t
        for q in range(n_touched):
            head[touched[q]] = -1
        if sample_every > 0 and (step + 1) % sample_every == 0:
            row_s = (step + 1) // sample_every
            if row_s < samples.shape[0]:
                for r in range(n_rec):
                    state[0, record[r]] = math.exp(u_mem[record[r]])
                    for row in range(6):
                        samples[row_s, row, r] = state[row, record[r]]
    for i in range(n):
        state[0, i] = math.exp(u_mem[i])
    return spk_i[: counts[0]], spk_t[: counts[0]], log_t[: counts[1]], log_y[: counts[1]]


def as_table(table: Any) -> Table:
    """The kernel's view of a :class:`~dynapse_edu.dynamics.NeuronTable`: contiguous float arrays."""
    return Table(*(np.ascontiguousarray(getattr(table, name), dtype=float) for name in TABLE_FIELDS))


__all__ = ["HAVE_NUMBA", "SOMA_FIELDS", "Soma", "Table", "membrane_rate", "membrane_step", "run_kernel", "as_table"]
