r"""The DPI (Differential Pair Integrator) synapse.

Bartolozzi & Indiveri 2007, Neural Computation 19(10); Chicca et al. 2014,
Proc. IEEE 102(9), eq. (4)-(6).

The DPI is a log-domain low-pass filter: a capacitor C whose voltage sets the
output current :math:`I_{syn}` exponentially. Written in currents, with the
leak current :math:`I_\tau`, the gain current :math:`I_g = \alpha I_\tau`, the
input current :math:`I_{in}` (the weight current while an input pulse is on)
and the time constant

.. math:: \tau = \frac{C\,U_T}{\kappa\,I_\tau},

the circuit obeys (:func:`dpi_derivative`)

.. math:: \tau \left(1 + \frac{I_g}{I_{syn}}\right) \dot I_{syn} = -I_{syn} - I_g + \frac{I_g\,I_{in}}{I_\tau}.

Without input the right-hand side is :math:`-(I_{syn} + I_g)`, so the factor
:math:`(1 + I_g/I_{syn})` cancels exactly and the current decays as a plain
exponential, :math:`\dot I_{syn} = -I_{syn}/\tau` (:func:`dpi_decay`), whose
exact solution over a time :math:`s` is :math:`I\,e^{-s/\tau}` (:func:`dpi_decay_exact`).

The module, top to bottom:

* the equation: :func:`dpi_tau`, :func:`dpi_derivative`, :func:`dpi_decay`, :func:`dpi_decay_exact`;
* input spikes as instant jumps (the behavioural model): :func:`spike_jump`, :func:`weight_current_for_jump`,
  and the response to one spike from rest, :func:`dpi_kernel`;
* the DPI under a constant input (the circuit's input pulse): :func:`dpi_steady_state`,
  :func:`dpi_under_input` (the exact solution, with the floor; the integrators use it),
  :func:`dpi_charge`, :func:`dpi_pulse_response` (a train of rectangular pulses, exact).

Input spikes
------------
A presynaptic spike raises the current at once by :math:`I_{w0}\,w\,\alpha`
(:func:`spike_jump`: the original simulator's instant jump, the limit of a
long pulse-extender pulse in the linear regime, see below). All inputs of one type onto one
neuron share a single DPI, so their effects superpose linearly.

The DPI under an input pulse
----------------------------
On the circuit the spike opens the input for a pulse of width :math:`t_{pulse}`
(the pulse extender), during which the DPI integrates :math:`I_{in} = I_w`, the
weight current, under the full equation (:func:`dpi_under_input`; Bartolozzi &
Indiveri 2007; Chicca et al. 2014, eq. 4-6). In the linear regime
(:math:`I_{syn} \gg I_g`) one pulse from :math:`I_{syn}` adds

.. math:: \Delta I = (A - I_{syn})\,(1 - e^{-t_{pulse}/\tau}),
   \qquad A = I_g \left(\frac{I_w}{I_\tau} - 1\right) \approx \frac{I_g I_w}{I_\tau} = \alpha I_w,

so a long pulse from rest reaches the steady state :math:`A`, the instant jump
:math:`\alpha I_w` within :math:`I_g` (:func:`dpi_steady_state`), and a short one
adds :math:`I_g I_w t_{pulse} / (I_\tau \tau) = I_g I_w t_{pulse} \kappa / (C U_T)`,
which does not depend on :math:`I_\tau`. Below :math:`I_g` the DPI is not linear
(the :math:`(1 + I_g/I_{syn})` factor): from rest the current first grows
exponentially, and a short pulse gives much less than the linear estimate.
The behavioural model uses pulses when the parameter ``t_pulse`` is set
(:class:`~dynapse_edu.core.params.Params`; None, the default, is the instant jump);
:mod:`dynapse_edu.core.dynamics` states the pulse-extender rule for spikes that
arrive while a pulse is on. The adaptation DPI takes its own pulse of width
``t_pulse_ahp`` and input ``I_w_ahp`` per output spike.

The pair's body effect: the output exponent
--------------------------------------------
The equation above assumes that the input pair (nFETs) and the output transistor (a pFET) have
the same slope factor. On silicon they do not: the pair's common source sits above the bulk, so
its slope factor is :math:`\kappa_n'` (body effect), and the pair hands the capacitor the share
:math:`1/(1 + (I_{syn}/I_g)^\beta)`, :math:`\beta = \kappa_n'/\kappa_p`, instead of
:math:`I_g/(I_g + I_{syn})`. With the *output exponent* :math:`\gamma = 1/\beta`
(``gamma``; Params ``gamma_syn``; 1 is the ideal DPI):

.. math:: \tau\,\dot I_{syn} = I_{syn}\left(\frac{I_{in}/I_\tau}{1 + (I_{syn}/I_g)^{1/\gamma}} - 1\right)

(:func:`dpi_derivative`). The variable :math:`J = I_g (I_{syn}/I_g)^{1/\gamma}` obeys the ideal
equation exactly, with the time constant :math:`\gamma\tau`; so the exact solutions are the ideal
ones mapped through :math:`I_{syn} = I_g (J/I_g)^\gamma` (:func:`dpi_under_input`), the steady state
is :math:`I_g (I_{in}/I_\tau - 1)^\gamma` (:func:`dpi_steady_state`), and without input nothing
changes: :math:`I_{syn}` still decays as :math:`e^{-t/\tau}` and rests on the same floor. The
exponent acts only where the DPI integrates an input (a pulse); the instant jump, an abstraction of
the original simulator, does not carry it. It is measured on the transistor-level synapse's pair
(:func:`dynapse_edu.spice.calibration.measure_pair_exponent`: 0.84 on the project's model card).

The leakage floor
-----------------
No current on the chip goes below the leakage current :math:`I_0`: the
capacitor cannot charge past the supply rail, so the output transistor keeps
conducting its leakage. dynapse_edu models this as a hard floor: the current
decays as :math:`\dot I_{syn} = -I_{syn}/\tau` until it meets :math:`I_0`,
and is then held there (:func:`dynapse_edu.core.neuron.hold_at_floor`,
applied by :func:`dynapse_edu.core.dynamics.derivatives`). Over a time
:math:`s` the current therefore goes to :math:`\max(I e^{-s/\tau}, I_0)`
(:func:`dpi_decay_exact`), and a single spike from rest gives the kernel
:math:`\max((I_0 + J) e^{-t/\tau}, I_0)` (:func:`dpi_kernel`). The original
simulator's forward-Euler steps let the current dip to about 0.995 pA; here
it never goes below :math:`I_0`. The same decay serves the adaptation (AHP)
DPI of the neuron.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ParameterError

#: The four synapse types of a Dynap-SE1 neuron, in the order used for arrays.
#: AMPA = fast excitatory, NMDA = slow excitatory (voltage gated),
#: GABA_A = fast shunting inhibition, GABA_B = slow subtractive inhibition.
SYNAPSE_TYPES: tuple[str, ...] = ("AMPA", "NMDA", "GABA_A", "GABA_B")

#: The chip's own names for the four synapse circuits.
CHIP_SYNAPSE_NAMES: dict[str, str] = {
    "AMPA": "fast excitatory (EXC_F)",
    "NMDA": "slow excitatory (EXC_S)",
    "GABA_A": "fast inhibitory, shunting (INH_F)",
    "GABA_B": "slow inhibitory, subtractive (INH_S)",
}


def synapse_index(synapse: str) -> int:
    """Position of a synapse type in :data:`SYNAPSE_TYPES`; clear error if unknown.

    Parameters
    ----------
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"`` (any case).

    Returns
    -------
    int
        0, 1, 2 or 3.

    Raises
    ------
    ParameterError
        For any other name (the message lists the allowed ones).

    Examples
    --------
    >>> synapse_index("gaba_a")
    2
    """
    try:
        return SYNAPSE_TYPES.index(str(synapse).upper())
    except ValueError:
        raise ParameterError(
            f"unknown synapse type {synapse!r}; allowed types: {', '.join(SYNAPSE_TYPES)}"
        ) from None


def synapse_key(synapse: str) -> str:
    """Lower-case suffix of a synapse's parameter names.

    Examples
    --------
    >>> synapse_key("GABA_A")
    'gaba_a'
    """
    return SYNAPSE_TYPES[synapse_index(synapse)].lower()


# --- the DPI equation ------------------------------------------------------------------------------------
def dpi_tau(C: ArrayLike, I_tau: ArrayLike, Ut: ArrayLike, kappa: ArrayLike) -> np.ndarray | float:
    """Time constant of a DPI, tau = C Ut / (kappa I_tau) (Chicca et al. 2014, eq. 5).

    Parameters
    ----------
    C : float or array
        Capacitance of the DPI, F.
    I_tau : float or array
        Leak current, A.
    Ut : float or array
        Thermal voltage, V.
    kappa : float or array
        Subthreshold slope factor (dimensionless).

    Returns
    -------
    float or ndarray
        tau in s (a float for scalar arguments).

    Examples
    --------
    >>> round(dpi_tau(2e-12, 20e-12, 0.025, 0.705) * 1e3, 3)  # AMPA default, ms
    3.546
    """
    tau = np.multiply(C, Ut) / np.multiply(kappa, I_tau)
    return float(tau) if np.ndim(tau) == 0 else tau


def dpi_derivative(
    I: ArrayLike, I_in: ArrayLike, I_g: ArrayLike, I_tau: ArrayLike, tau: ArrayLike, gamma: ArrayLike = 1.0
) -> np.ndarray:
    r"""dI/dt of a DPI under an input current, the full equation, in A/s.

    :math:`\tau (1 + I_g/I)\,\dot I = -I - I_g + I_g I_{in} / I_\tau`
    (Bartolozzi & Indiveri 2007; Chicca et al. 2014, eq. 4-6). With
    ``I_in = 0`` this is :func:`dpi_decay`, -I / tau. With an output exponent ``gamma`` other
    than 1 (the pair's body effect, module docstring) the pair's share is
    :math:`1/(1 + (I/I_g)^{1/\gamma})`: :math:`\tau \dot I = I\,(I_{in}/I_\tau / (1 + (I/I_g)^{1/\gamma}) - 1)`.

    Parameters
    ----------
    I : float or array
        Output current, A (> 0).
    I_in : float or array
        Input current, A: the weight current while an input pulse is on, 0 between pulses.
    I_g : float or array
        Gain current, A (``alpha * I_tau`` in the behavioural model).
    I_tau : float or array
        Leak current, A.
    tau : float or array
        Time constant, s (:func:`dpi_tau`).
    gamma : float or array
        Output exponent (dimensionless, 1: the ideal DPI).

    Returns
    -------
    ndarray
        dI/dt, A/s.

    Examples
    --------
    >>> round(float(dpi_derivative(10e-12, 0.0, 80e-12, 20e-12, 4e-3)), 15)  # no input: -I / tau
    -2.5e-09
    >>> round(float(dpi_derivative(10e-12, 1e-9, 80e-12, 20e-12, 4e-3)), 12)  # 1 nA in: it charges
    1.08611e-07
    >>> round(float(dpi_derivative(10e-12, 1e-9, 80e-12, 20e-12, 4e-3, 0.815)), 12)  # the pair's body effect
    1.13459e-07
    """
    I = np.asarray(I, dtype=float)
    ideal = (I_g * np.asarray(I_in) / I_tau - I - I_g) / (tau * (1.0 + I_g / I))
    if np.all(np.equal(gamma, 1.0)):
        return ideal
    body = I * (np.asarray(I_in) / I_tau / (1.0 + (I / I_g) ** (1.0 / np.asarray(gamma))) - 1.0) / tau
    return np.where(np.equal(gamma, 1.0), ideal, body)


def dpi_decay(I: ArrayLike, tau: ArrayLike) -> np.ndarray:
    """Time derivative of a DPI current with no input, in A/s: -I / tau.

    The floor at I0 is applied by the caller (:func:`dynapse_edu.core.dynamics.derivatives`
    holds every current at I0 whose derivative points below it).

    Parameters
    ----------
    I : float or array
        Current, A.
    tau : float or array
        Time constant, s.

    Returns
    -------
    ndarray
        dI/dt, A/s.

    Examples
    --------
    >>> round(float(dpi_decay(10e-12, 5e-3)), 15)
    -2e-09
    """
    return -np.asarray(I) / tau


def dpi_decay_exact(I: ArrayLike, factor: ArrayLike, I0: ArrayLike) -> np.ndarray:
    r"""The current of a DPI without input after a time s, held at the floor: max(I factor, I0), in A.

    The exact solution of :func:`dpi_decay` with the leakage floor:
    :math:`\max(I\,e^{-s/\tau}, I_0)`, given ``factor`` :math:`= e^{-s/\tau}`
    (a factor, not the time, so that an integrator computes it once per
    step length; the fast engine compiles this very function).

    Parameters
    ----------
    I : float or array
        Current at the start, A.
    factor : float or array
        :math:`e^{-s/\tau}` for the elapsed time s (s) and the time constant tau (s); in (0, 1].
    I0 : float or array
        Leakage floor, A.

    Returns
    -------
    float or ndarray
        The current after s, A.

    Examples
    --------
    >>> float(dpi_decay_exact(100e-12, math.exp(-1.0), 1e-12)) * 1e12  # one tau later, pA
    36.787944117144235
    >>> float(dpi_decay_exact(100e-12, math.exp(-10.0), 1e-12))         # ten: held at the floor
    1e-12
    """
    return np.maximum(np.asarray(I) * factor, I0)


# --- input spikes: the instant jump ------------------------------------------------------------------------
def spike_jump(I_w: ArrayLike, alpha: ArrayLike, weight: ArrayLike = 1.0) -> np.ndarray | float:
    r"""Current added to a DPI by one input spike, in A: :math:`I_w\,\alpha\,w`.

    The original simulator's instant jump (Chicca et al. 2014, eq. 6 with the
    pulse's charge delivered at once): in the linear regime, the limit of a long
    input pulse, whose steady state :math:`I_g (I_w/I_\tau - 1)` is the jump within
    :math:`I_g` (module docstring, "The DPI under an input pulse"; :func:`dpi_under_input`). The
    same rule feeds the adaptation DPI with each output spike
    (``spike_jump(I_w_ahp, alpha_ahp)``) unless ``t_pulse_ahp`` is set.

    Parameters
    ----------
    I_w : float or array
        Base weight current, A (``I_w0_<synapse>`` or ``I_w_ahp``).
    alpha : float or array
        Gain of the DPI, I_g / I_tau (dimensionless).
    weight : float or array
        Weight of the connection (dimensionless; the chip's integer weights, or any float).

    Returns
    -------
    float or ndarray
        The jump, A.

    Examples
    --------
    >>> spike_jump(100e-12, 4.0, 2.0)  # default AMPA, weight 2: 800 pA
    8e-10
    """
    jump = np.multiply(np.multiply(I_w, alpha), weight)
    return float(jump) if np.ndim(jump) == 0 else jump


def weight_current_for_jump(jump: ArrayLike, alpha: ArrayLike, weight: ArrayLike = 1.0) -> np.ndarray | float:
    """The base weight current whose spike of ``weight`` adds ``jump``: the inverse of :func:`spike_jump`, in A.

    Used by the calibration, which measures the jump of one circuit pulse and
    needs the weight current that gives it.

    Parameters
    ----------
    jump : float or array
        Current added by one spike, A.
    alpha : float or array
        Gain of the DPI, I_g / I_tau.
    weight : float or array
        Weight of the connection.

    Returns
    -------
    float or ndarray
        I_w, A.

    Examples
    --------
    >>> weight_current_for_jump(8e-10, 4.0, 2.0)
    1e-10
    """
    I_w = np.divide(jump, np.multiply(alpha, weight))
    return float(I_w) if np.ndim(I_w) == 0 else I_w


def pulse_weight_current(I_w0: ArrayLike, t_pulse: ArrayLike, tau: ArrayLike) -> np.ndarray | float:
    r"""The weight current whose input pulse adds what the instant jump of ``I_w0`` adds, in A.

    A pulse of width :math:`t_p` moves a DPI far above its gain current
    (:math:`I_{syn} \gg I_g`, the linear regime) a fraction :math:`1 - e^{-t_p/\tau}` of the way
    to its steady state :math:`I_g I_w / I_\tau` (:func:`dpi_under_input`), so it adds
    :math:`\alpha I_w (1 - e^{-t_p/\tau})` to what free decay leaves: the jump
    :math:`\alpha I_{w0}` (:func:`spike_jump`) when

    .. math:: I_w = \frac{I_{w0}}{1 - e^{-t_p/\tau}} \approx I_{w0}\,\frac{\tau}{t_p}
              \quad (t_p \ll \tau).

    Near rest (:math:`I_{syn} \lesssim I_g`) the same pulse adds less: the DPI's
    :math:`(1 + I_g/I_{syn})` factor (:func:`dpi_derivative`). Hardware mode starts its weight
    biases from this rule (:func:`dynapse_edu.hardware.bank.pulse_params`), so that a network tuned
    with instant jumps behaves alike with pulses once its synapses are charged.

    Parameters
    ----------
    I_w0 : float or array
        Base weight current of the instant-jump model, A.
    t_pulse : float or array
        Pulse width, s (> 0).
    tau : float or array
        Time constant of the DPI, s (> 0).

    Returns
    -------
    float or ndarray
        The weight current, A.

    Examples
    --------
    >>> round(pulse_weight_current(100e-12, 10e-6, 3.5e-3) * 1e9, 3)  # nA: about tau / t_pulse = 350 x
    35.05
    """
    I_w = np.divide(I_w0, -np.expm1(-np.divide(t_pulse, tau)))
    return float(I_w) if np.ndim(I_w) == 0 else I_w


def dpi_kernel(t: ArrayLike, jump: float, tau: float, I0: float) -> np.ndarray:
    """Closed-form response to one spike at t = 0 from rest: max((I0 + jump) exp(-t / tau), I0), in A.

    Before the spike (t < 0) the current rests at I0; the spike lifts it to
    I0 + jump, from where it decays exactly (:func:`dpi_decay_exact`) until it
    meets the floor. Used by tests and the book to check the integrators
    against the exact answer.

    Parameters
    ----------
    t : float or array
        Time since the spike, s.
    jump : float
        Current added by the spike, A (:func:`spike_jump`).
    tau : float
        Time constant, s.
    I0 : float
        Leakage floor, the resting current, A.

    Returns
    -------
    ndarray
        The current at ``t``, A.

    Examples
    --------
    >>> (dpi_kernel([-1e-3, 0.0, 5e-3, 50e-3], 99e-12, 5e-3, 1e-12) * 1e12).round(3)  # pA
    array([  1.   , 100.   ,  36.788,   1.   ])
    """
    t = np.asarray(t, dtype=float)
    return np.where(t >= 0, dpi_decay_exact(I0 + jump, np.exp(-np.clip(t, 0, None) / tau), I0), I0)


# --- the DPI under a constant input: the circuit's input pulse -------------------------------------------
def dpi_steady_state(I_in: ArrayLike, I_g: float, I_tau: float, gamma: float = 1.0) -> np.ndarray:
    """Current a DPI settles at under a constant input: I_g (I_in / I_tau - 1)^gamma, in A.

    :func:`dpi_derivative` = 0 (Bartolozzi & Indiveri 2007). Well above I_g
    the gain is I_g / I_tau (for gamma = 1); an input below I_tau cannot charge the DPI (the
    result is then not positive).

    Parameters
    ----------
    I_in : float or array
        Input current, A.
    I_g : float
        Gain current, A.
    I_tau : float
        Leak current, A.
    gamma : float
        Output exponent (dimensionless, 1: the ideal DPI; module docstring).

    Returns
    -------
    ndarray
        The steady-state output current, A.

    Examples
    --------
    >>> round(float(dpi_steady_state(1e-9, 80e-12, 20e-12)) * 1e9, 6)  # 80 pA (1 nA / 20 pA - 1), in nA
    3.92
    >>> round(float(dpi_steady_state(1e-9, 80e-12, 20e-12, 0.815)) * 1e9, 3)  # with the body effect
    1.908
    """
    ratio = np.asarray(I_in, float) / I_tau - 1.0
    if gamma == 1.0:
        return I_g * ratio
    return I_g * np.sign(ratio) * np.abs(ratio) ** gamma


def dpi_under_input(
    I: float, s: float, I_in: float, I_g: float, I_tau: float, tau: float, I0: float, gamma: float = 1.0
) -> float:
    r"""Exact DPI current after a time ``s`` under a constant input ``I_in``, held at the floor ``I0``, in A.

    The solution of :func:`dpi_derivative` with a constant input. For the ideal DPI
    (``gamma`` = 1) it is :func:`dpi_under_input_ideal`. With an output exponent ``gamma``
    (the pair's body effect, module docstring) :math:`J = I_g (I/I_g)^{1/\gamma}` obeys the
    ideal equation with the time constant :math:`\gamma\tau` and the floor
    :math:`I_g (I_0/I_g)^{1/\gamma}`: the ideal solution for J, mapped back by
    :math:`I = I_g (J/I_g)^\gamma`.

    Plain Python on floats (``math`` only): the fast engine compiles this very
    function (:mod:`dynapse_edu.engines.kernels`).

    Parameters
    ----------
    I : float
        Current at the start, A (raised to ``I0`` if below).
    s : float
        Time, s (0 or less: the start current).
    I_in : float
        Input current, A (the weight current while a pulse is on; 0: plain decay).
    I_g : float
        Gain current, A (``alpha * I_tau``).
    I_tau : float
        Leak current, A.
    tau : float
        Time constant, s (:func:`dpi_tau`).
    I0 : float
        Leakage floor, A.
    gamma : float
        Output exponent (dimensionless, 1: the ideal DPI).

    Returns
    -------
    float
        The current after ``s``, A.

    Examples
    --------
    A 10 nA pulse of 50 us from 0.3 pA (I_g = 80 pA, I_tau = 20 pA, tau = 4 ms), ideal and with the
    a body-effect exponent gamma = 0.815 (the project's pair measures 0.84):

    >>> round(dpi_under_input(0.3e-12, 50e-6, 10e-9, 80e-12, 20e-12, 4e-3, 0.3e-12) * 1e12, 2)  # pA
    66.73
    >>> round(dpi_under_input(0.3e-12, 50e-6, 10e-9, 80e-12, 20e-12, 4e-3, 0.3e-12, 0.815) * 1e12, 2)
    73.52
    """
    if gamma == 1.0:
        return dpi_under_input_ideal(I, s, I_in, I_g, I_tau, tau, I0)
    beta = 1.0 / gamma
    J0 = I_g * (I0 / I_g) ** beta  # the floor, mapped
    J = dpi_under_input_ideal(I_g * (I / I_g) ** beta, s, I_in, I_g, I_tau, gamma * tau, J0)
    if J <= J0:
        return I0
    out = I_g * (J / I_g) ** gamma
    return out if out > I0 else I0


def dpi_under_input_ideal(I: float, s: float, I_in: float, I_g: float, I_tau: float, tau: float, I0: float) -> float:
    r"""Exact current of the ideal DPI after a time ``s`` under a constant input ``I_in``, held at ``I0``, in A.

    The solution of :func:`dpi_derivative` (``gamma`` = 1) with a constant input: written with the
    steady state :math:`A = I_g (I_{in}/I_\tau - 1)` (:func:`dpi_steady_state`) the
    equation is :math:`\tau (1 + I_g/I)\,\dot I = A - I`, whose solution from
    :math:`I_s` satisfies, with :math:`y = -\ln\frac{A - I}{A - I_s}` (so that
    :math:`I = A + (I_s - A) e^{-y}`),

    .. math:: y + \frac{I_g}{A} \ln\left(1 + \frac{A\,(e^y - 1)}{I_s}\right) = \frac{s}{\tau}.

    The left side increases with y (its slope is :math:`(I + I_g)/I`); it is solved
    for y by Newton's method inside the bracket :math:`[0, s/\tau]`, started on the
    side from which it converges monotonically (the left when the DPI charges,
    :math:`A > I_s`, where the left side is concave; the right when it relaxes
    down, where it is convex), with bisection as a guard against rounding. For
    :math:`A \to 0` the term :math:`\ln(1 + a)/a` is taken as its limit 1. The DPI
    charges towards A if :math:`A > I_s` and relaxes down towards it otherwise; a
    current that would go below ``I0`` stops there (:func:`dynapse_edu.core.neuron.hold_at_floor`).
    With ``I_in = 0`` it is the plain decay :func:`dpi_decay_exact` (to rounding).

    Plain Python on floats (``math`` only), compiled by the fast engine as
    :func:`dpi_under_input` is. Bartolozzi & Indiveri 2007; Chicca et al. 2014, eq. 4-6.

    Parameters
    ----------
    I, s, I_in, I_g, I_tau, tau, I0 : float
        As in :func:`dpi_under_input` (currents in A, times in s), which calls this for ``gamma`` = 1.

    Returns
    -------
    float
        The current after ``s``, A.

    Examples
    --------
    A 10 nA pulse of 50 us from 0.3 pA (I_g = 80 pA, I_tau = 20 pA, tau = 4 ms), then a current
    above the steady state (I_in = 100 pA: A = 320 pA) relaxing towards it:

    >>> round(dpi_under_input_ideal(0.3e-12, 50e-6, 10e-9, 80e-12, 20e-12, 4e-3, 0.3e-12) * 1e12, 2)  # pA
    66.73
    >>> round(dpi_under_input_ideal(1e-9, 1.0, 100e-12, 80e-12, 20e-12, 4e-3, 1e-12) * 1e12, 6)
    320.0
    """
    I = I if I > I0 else I0
    A = I_g * (I_in / I_tau - 1.0)  # the steady state (dpi_steady_state)
    T = s / tau
    if not T > 0.0 or A == I:
        return I
    if A <= I0 and I <= I0:  # on the floor and pushed down: held
        return I0
    hi = T if T < DPI_Y_MAX else DPI_Y_MAX  # the root lies in [0, T]: the second term is >= 0
    if A < I0:  # relaxing through the floor: where would it meet it?
        y_floor = math.log((I - A) / (I0 - A))
        if y_floor < hi:
            if dpi_under_input_residual(y_floor, I, A, I_g, T) <= 0.0:
                return I0
            hi = y_floor
    lo = 0.0
    y = lo if A > I else hi  # charging: concave, from the left; relaxing down: convex, from the right
    for _ in range(DPI_MAX_ITERATIONS):
        f = dpi_under_input_residual(y, I, A, I_g, T)
        if f == 0.0:
            break
        if f < 0.0:
            lo = y
        else:
            hi = y
        J = I - (A - I) * math.expm1(-y)
        y_new = y - f * J / (J + I_g)  # Newton: the slope is (J + I_g) / J
        if not lo <= y_new <= hi:
            y_new = 0.5 * (lo + hi)
        if abs(y_new - y) <= 4e-16 * y or hi - lo <= 4e-16 * hi:
            y = y_new
            break
        y = y_new
    J = I - (A - I) * math.expm1(-y)
    return J if J > I0 else I0


#: Largest y = -ln((A - I)/(A - I_start)) :func:`dpi_under_input` solves for: e^-100 of the start's
#: distance from the steady state is below rounding for any two currents of the chip (1 fA .. 1 mA).
DPI_Y_MAX = 100.0
#: Most Newton (or bisection) steps of :func:`dpi_under_input` (about 3-10 are used).
DPI_MAX_ITERATIONS = 200


def dpi_under_input_residual(y: float, I: float, A: float, I_g: float, T: float) -> float:
    """y + (I_g / A) ln(1 + A (e^y - 1) / I) - T: the equation :func:`dpi_under_input` solves, dimensionless.

    Written as y + (I_g / I) (e^y - 1) ln(1 + a) / a with a = A (e^y - 1) / I, finite as A -> 0
    (the ratio is then 1). ``y`` (dimensionless), ``I`` the start current and ``A`` the steady
    state (A), ``I_g`` the gain current (A), ``T`` the time in units of tau.

    Examples
    --------
    >>> dpi_under_input_residual(0.0, 1e-12, 1e-9, 80e-12, 0.5)  # at y = 0: -T
    -0.5
    """
    e = math.expm1(y)
    a = A * e / I
    ratio = math.log1p(a) / a if a != 0.0 else 1.0
    return y + (I_g / I) * e * ratio - T


def dpi_charge(t: float, I_start: float, I_in: float, I_g: float, I_tau: float, tau: float) -> float:
    r"""Exact DPI current after charging for ``t`` under a constant input ``I_in``, from ``I_start``, in A.

    :func:`dpi_under_input` for an input that charges the DPI (its steady state
    :math:`A = I_g (I_{in}/I_\tau - 1)`, :func:`dpi_steady_state`, above ``I_start``), without a floor.
    Below :math:`I_g` the DPI is not linear: the current first grows
    exponentially, which is why a short pulse from rest gives much less than
    the linear estimate :math:`I_g I_{in} t / (I_\tau \tau)`.

    Parameters
    ----------
    t : float
        Charging time, s (0 or less: ``I_start``).
    I_start : float
        Current at the start, A (> 0).
    I_in : float
        Input current, A; must exceed I_tau (1 + I_start / I_g).
    I_g : float
        Gain current, A.
    I_tau : float
        Leak current, A.
    tau : float
        Time constant, s.

    Returns
    -------
    float
        The current after ``t``, A (between ``I_start`` and the steady state).

    Raises
    ------
    ParameterError
        If ``I_start`` is not positive, or ``I_in`` is too small to charge the DPI above ``I_start``
        (:func:`dpi_under_input` takes any input).

    Examples
    --------
    A 10 nA pulse of 50 us from 0.3 pA, with I_g = 80 pA, I_tau = 20 pA, tau = 4 ms,
    against the linear estimate I_g I_in t / (I_tau tau):

    >>> round(dpi_charge(50e-6, 0.3e-12, 10e-9, 80e-12, 20e-12, 4e-3) * 1e12, 2)  # pA
    66.73
    >>> round(80e-12 * 10e-9 * 50e-6 / (20e-12 * 4e-3) * 1e12, 2)
    500.0
    """
    if not I_start > 0:
        raise ParameterError(f"I_start = {I_start!r} A must be a positive current")
    A = float(dpi_steady_state(I_in, I_g, I_tau))
    if not A > I_start:
        raise ParameterError(
            f"input current I_in = {I_in!r} A cannot charge the DPI above I_start = {I_start!r} A "
            f"(steady state {A!r} A); need I_in > I_tau (1 + I_start / I_g)"
        )
    if t <= 0:
        return float(I_start)
    return dpi_under_input(float(I_start), float(t), float(I_in), float(I_g), float(I_tau), float(tau), 0.0)


def dpi_pulse_increment(
    I: float, width: float, I_w: float, I_g: float, I_tau: float, tau: float, I0: float, gamma: float = 1.0
) -> float:
    r"""What one input pulse adds to a DPI at ``I``, beyond the DPI's own decay over the pulse, in A.

    The current after a pulse of ``width`` under the weight current ``I_w`` (:func:`dpi_under_input`)
    minus the current the DPI would have decayed to without it: the finite pulse's counterpart of
    the instant jump (:func:`spike_jump`). Far above :math:`I_g` it is
    :math:`(I_g I_w / I_\tau)(1 - e^{-t/\tau})` (the jump :math:`I_g I_w / I_\tau` only for pulses
    much longer than tau); near rest it is far smaller (the DPI's :math:`1 + I_g/I` factor).

    Parameters
    ----------
    I : float
        Current when the pulse starts, A.
    width : float
        Pulse width, s.
    I_w : float
        Weight current during the pulse, A.
    I_g, I_tau : float
        Gain and leak currents, A.
    tau : float
        Time constant, s.
    I0 : float
        Leakage floor, A.
    gamma : float
        Output exponent (dimensionless, 1: the ideal DPI).

    Returns
    -------
    float
        The increment, A.

    Examples
    --------
    A 10 us pulse of 10 nA (I_g = 80 pA, I_tau = 20 pA, tau = 4 ms) into a DPI at 1 nA and at rest:

    >>> round(dpi_pulse_increment(1e-9, 10e-6, 10e-9, 80e-12, 20e-12, 4e-3, 0.3e-12) * 1e12, 2)  # pA
    92.77
    >>> round(dpi_pulse_increment(0.3e-12, 10e-6, 10e-9, 80e-12, 20e-12, 4e-3, 0.3e-12) * 1e12, 2)
    0.73
    """
    free = dpi_under_input(I, width, 0.0, I_g, I_tau, tau, I0, gamma)
    return dpi_under_input(I, width, I_w, I_g, I_tau, tau, I0, gamma) - free


def pulse_intervals(pulse_starts: ArrayLike, width: float) -> np.ndarray:
    """The times a retriggered pulse extender is on, for input spikes at ``pulse_starts``, in s.

    Each spike (re)starts the pulse: it ends ``width`` after the latest spike
    (:mod:`dynapse_edu.core.dynamics`, "The pulse extender"), so overlapping pulses merge.

    Parameters
    ----------
    pulse_starts : float or array
        Spike times, s (any order).
    width : float
        Pulse width, s (> 0).

    Returns
    -------
    ndarray
        Shape (k, 2): the k merged intervals.
        Start and end of each, s, in time order.

    Examples
    --------
    >>> pulse_intervals([0.0, 3e-6, 20e-6], 5e-6) * 1e6  # us: the first two merge
    array([[ 0.,  8.],
           [20., 25.]])
    """
    starts = np.sort(np.atleast_1d(np.asarray(pulse_starts, float)))
    if not (np.isfinite(width) and width > 0):
        raise ParameterError(f"pulse width = {width!r} s must be a positive number of seconds")
    if starts.size == 0:
        return np.zeros((0, 2))
    new = np.ones(starts.size, bool)
    new[1:] = starts[1:] >= starts[:-1] + width  # a spike during the pulse only extends it
    first = np.flatnonzero(new)
    last = np.append(first[1:], starts.size) - 1
    return np.column_stack([starts[first], starts[last] + width])


def dpi_pulse_response(
    t: ArrayLike,
    pulse_starts: ArrayLike,
    width: float,
    I_w: float,
    I_g: float,
    I_tau: float,
    tau: float,
    I_rest: float,
    gamma: float = 1.0,
) -> np.ndarray:
    """The DPI equation driven by rectangular input pulses, solved exactly at times ``t``, in A.

    During each pulse (``width`` from each of ``pulse_starts``; a pulse that starts while
    another is on extends it, :func:`pulse_intervals`) the input is ``I_w`` and the current
    follows :func:`dpi_under_input`; between pulses it decays exactly
    (:func:`dpi_decay_exact`) towards ``I_rest``, the floor. Unlike the
    behavioural model's instant jumps, the charge added by a pulse here depends
    on the current already there: the reference that tells the DPI equation's
    errors from those of the instant-jump approximation, and the exact answer the
    integrators' pulse model (``t_pulse``) is tested against.

    Parameters
    ----------
    t : array
        Times, s.
    pulse_starts : float or array
        Start of each input pulse, s (any order).
    width : float
        Pulse width, s.
    I_w : float
        Input (weight) current during a pulse, A.
    I_g, I_tau : float
        Gain and leak currents, A.
    tau : float
        Time constant, s.
    I_rest : float
        The current at rest (the floor I0), A.
    gamma : float
        Output exponent (dimensionless, 1: the ideal DPI; module docstring).

    Returns
    -------
    ndarray
        The current at each of ``t``, A.

    Examples
    --------
    >>> out = dpi_pulse_response([0.0, 1.05e-3, 5.05e-3], [1e-3], 50e-6, 10e-9, 80e-12, 20e-12, 4e-3, 0.3e-12)
    >>> (out * 1e12).round(2)  # pA: at rest, at the pulse's end, one tau later
    array([ 0.3 , 66.73, 24.55])
    """
    t = np.asarray(t, float)
    on = pulse_intervals(pulse_starts, width)
    args = (float(I_w), float(I_g), float(I_tau), float(tau), float(I_rest), float(gamma))
    out = np.full(t.shape, float(I_rest))
    current = float(I_rest)
    for k, (start, end) in enumerate(on):
        during = (t >= start) & (t < end)
        out[during] = [dpi_under_input(current, x - start, *args) for x in t[during]]
        current = dpi_under_input(current, end - start, *args)
        following = on[k + 1, 0] if k + 1 < len(on) else np.inf
        after = (t >= end) & (t < following)
        out[after] = dpi_decay_exact(current, np.exp(-(t[after] - end) / tau), I_rest)
        if np.isfinite(following):
            current = float(dpi_decay_exact(current, math.exp(-(following - end) / tau), I_rest))
    return out


__all__ = [
    "SYNAPSE_TYPES",
    "CHIP_SYNAPSE_NAMES",
    "synapse_index",
    "synapse_key",
    "dpi_tau",
    "dpi_derivative",
    "dpi_decay",
    "dpi_decay_exact",
    "spike_jump",
    "weight_current_for_jump",
    "pulse_weight_current",
    "dpi_kernel",
    "dpi_steady_state",
    "dpi_under_input",
    "dpi_under_input_ideal",
    "dpi_under_input_residual",
    "DPI_Y_MAX",
    "DPI_MAX_ITERATIONS",
    "dpi_charge",
    "dpi_pulse_increment",
    "pulse_intervals",
    "dpi_pulse_response",
]
