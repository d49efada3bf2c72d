r"""From transistors to the behavioural model: kappa, I0, Ut and the DPI/neuron parameters.

The behavioural equations of :mod:`dynapse_edu.core.synapse` and
:mod:`dynapse_edu.core.neuron` assume ideal weak-inversion transistors,

.. math:: I_d = I_0\, e^{\kappa V_{gs}/U_T} \left(1 - e^{-V_{ds}/U_T}\right)

(source on the bulk). This module measures what the model card
``circuits/models/generic018.lib`` really gives, with ngspice DC sweeps of
``circuits/mosfet_tb-dc.cir`` (:func:`extract_transistor`):

* :math:`\kappa/U_T`: the slope of :math:`\ln I_d` vs :math:`V_{gs}` in weak inversion,
* :math:`U_T`: from the :math:`(1 - e^{-V_{ds}/U_T})` rise of the output curve,
* :math:`I_0`: the weak-inversion line extrapolated to :math:`V_{gs} = 0` (W = L = 1 um).

It then reads the bias currents of a netlist on replica transistors (the
devices the chip's bias generator feeds) and turns them into a
:class:`~dynapse_edu.core.params.Params` for the behavioural model
(:func:`dpi_params`, :func:`neuron_params`): the time constants from C and
:math:`I_\tau` (Chicca et al. 2014 eq. 5), the gains :math:`I_g/I_\tau`, the jump
of one input pulse of finite width (:func:`~dynapse_edu.core.synapse.dpi_charge`, the
exact solution of the DPI equation under constant input, after Bartolozzi &
Indiveri 2007), the refractory period and the feedback current. The DPI's
equations themselves live in :mod:`dynapse_edu.core.synapse`; this module only
measures the circuit and feeds them.

The entry points, in order: :func:`extract_transistor`, then
:func:`measure_dpi_biases` -> :func:`dpi_params` for a synapse, and the exponent of its
steady-state gain, the differential pair's body effect (:func:`measure_gain_exponent`: the core's
output exponent ``gamma_syn``);
:func:`measure_neuron_biases` -> :func:`neuron_params` for the comparator soma
(``neuron_adexp.cir``), whose threshold and switched feedback are measured by a DC sweep of its
comparator (:func:`measure_comparator_feedback`); :func:`measure_neuron_dpi_biases` ->
:func:`neuron_dpi_params` for the DPI neuron (``neuron_dpi.cir``), whose positive feedback is
measured on the spike amplifier by a DC sweep and fitted (:func:`measure_feedback`, :func:`fit_feedback`).

One choice to know: the core uses one mean kappa, (kappa_n + kappa_p) / 2, in
every time constant (as the original simulator does), while a DPI made of
pFETs has :math:`\tau = C U_T / (\kappa_p I_\tau)`. The calibration passes the
measured kappas on and folds the difference into an *effective*
capacitance so that the behavioural time constant equals the circuit's
(:func:`effective_capacitance`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import curve_fit
from scipy.special import expit

from ..core.params import Params, ParamsLike, resolve
from ..core.synapse import (
    dpi_charge,
    dpi_steady_state,
    dpi_tau,
    synapse_key,
    weight_current_for_jump,
)
from ..errors import ParameterError
from . import ngspice

TRANSISTOR_TB = "mosfet_tb-dc.cir"


# --- transistors -----------------------------------------------------------------
def weak_inversion_fit(vgs: ArrayLike, i_d: ArrayLike, lo: float = 1e-13, hi: float = 1e-9) -> tuple[float, float]:
    """Straight-line fit of ln(Id) vs Vgs in weak inversion: the slope kappa / Ut and the current at Vgs = 0.

    The window (0.1 pA .. 1 nA for a 1 um / 1 um device) lies well inside
    weak inversion for this process.

    Parameters
    ----------
    vgs : array
        Gate-source voltages, V.
    i_d : array
        Drain currents, A (the sign is ignored).
    lo, hi : float
        The fit uses the points with ``lo <= |Id| <= hi``, A.

    Returns
    -------
    tuple of float
        (slope in 1/V, Id extrapolated to Vgs = 0 in A).

    Raises
    ------
    ParameterError
        With fewer than 5 points in the window.

    Examples
    --------
    >>> vgs = np.linspace(0, 0.6, 301)
    >>> slope, i0 = weak_inversion_fit(vgs, 1e-12 * np.exp(0.7 * vgs / 0.026))
    >>> round(slope * 0.026, 6), round(i0 * 1e12, 6)  # kappa, I0 in pA
    (0.7, 1.0)
    """
    vgs, i_d = np.asarray(vgs, float), np.abs(np.asarray(i_d, float))
    sel = (i_d >= lo) & (i_d <= hi)
    if sel.sum() < 5:
        raise ParameterError(f"fewer than 5 points with {lo:g} A <= Id <= {hi:g} A; sweep a wider Vgs range")
    slope, intercept = np.polyfit(vgs[sel], np.log(i_d[sel]), 1)
    return float(slope), float(np.exp(intercept))


def exponential_decades(vgs: ArrayLike, i_d: ArrayLike, tolerance: float = 0.1) -> float:
    """Over how many decades of Id the local slope d ln(Id)/dVgs stays within ``tolerance`` of its weak-inversion value.

    A measure of how wide the exponential (weak-inversion) region of a model card is.

    Parameters
    ----------
    vgs : array
        Gate-source voltages, V.
    i_d : array
        Drain currents, A.
    tolerance : float
        Allowed relative deviation of the local slope from the fitted one (:func:`weak_inversion_fit`).

    Returns
    -------
    float
        The decades of Id of the longest run of points on the line (0 if none).

    Examples
    --------
    A pure exponential from 1 pA to about 10 uA is one line over 7 decades:

    >>> vgs = np.linspace(0, 0.6, 301)
    >>> round(exponential_decades(vgs, 1e-12 * np.exp(0.7 * vgs / 0.026)), 2)
    7.02
    """
    vgs, i_d = np.asarray(vgs, float), np.abs(np.asarray(i_d, float))
    slope, _ = weak_inversion_fit(vgs, i_d)
    local = np.gradient(np.log(i_d), vgs)
    ok = np.abs(local / slope - 1) <= tolerance
    # the longest run of consecutive points on the line
    best, start = (0, 0), None
    for k, good in enumerate(np.append(ok, False)):
        if good and start is None:
            start = k
        elif not good and start is not None:
            if k - start > best[1] - best[0]:
                best = (start, k)
            start = None
    if best[1] - best[0] < 2:
        return 0.0
    run = i_d[best[0] : best[1]]
    return float(np.log10(run.max() / run.min()))


def fit_ut(vds: ArrayLike, i_d: ArrayLike) -> float:
    """Thermal voltage from an output curve in weak inversion: Id = Isat (1 - exp(-Vds / Ut)) (1 + g Vds).

    Least squares over Ut, Isat and the output conductance term g. Give
    Vds up to about 4 Ut (0.1 V): further out, drain-induced barrier lowering
    bends the curve and the fit underestimates Ut (22 mV instead of 26 mV
    over 0..0.3 V with generic018.lib).

    Parameters
    ----------
    vds : array
        Drain-source voltages, V (only Vds > 0 is used).
    i_d : array
        Drain currents, A.

    Returns
    -------
    float
        Ut, V.

    Examples
    --------
    >>> vds = np.linspace(0, 0.1, 201)
    >>> round(fit_ut(vds, 3e-10 * (1 - np.exp(-vds / 0.0259)) * (1 + 0.3 * vds)) * 1e3, 2)  # mV
    25.9
    """
    vds, i_d = np.asarray(vds, float), np.abs(np.asarray(i_d, float))
    sel = vds > 0

    def model(v: np.ndarray, isat: float, ut: float, g: float) -> np.ndarray:
        return isat * (1 - np.exp(-v / ut)) * (1 + g * v)

    scale = float(i_d[sel][-1])
    (_, ut, _), _ = curve_fit(model, vds[sel], i_d[sel] / scale, p0=(1.0, 0.026, 0.0))
    return float(ut)


@dataclass(frozen=True)
class TransistorFit:
    """Weak-inversion parameters of the model card, measured by ngspice DC sweeps.

    ``kappa_n``, ``kappa_p`` (dimensionless), ``I0_n``, ``I0_p`` (A, for
    W = L = 1 um at Vgs = 0, Vds = 0.9 V), ``Ut`` (V, mean of the two
    output-curve fits ``Ut_n``, ``Ut_p``), ``decades_n``, ``decades_p`` (width
    of the exponential region), ``kappa_n_body``: kappa of an nFET whose
    source sits ``vsb`` volts above its bulk (body effect: the DPI synapse's
    differential pair works there), and the sweep itself: ``vgs`` (V),
    ``id_n``, ``id_p`` (A).
    """

    kappa_n: float
    kappa_p: float
    I0_n: float
    I0_p: float
    Ut: float
    Ut_n: float
    Ut_p: float
    decades_n: float
    decades_p: float
    kappa_n_body: float
    vsb: float
    vgs: np.ndarray
    id_n: np.ndarray
    id_p: np.ndarray

    def summary(self) -> str:
        """One line per quantity, for reports."""
        return (
            f"kappa_n = {self.kappa_n:.3f}, kappa_p = {self.kappa_p:.3f}, "
            f"I0_n = {self.I0_n * 1e12:.3f} pA, I0_p = {self.I0_p * 1e12:.3f} pA, "
            f"Ut = {self.Ut * 1e3:.2f} mV (n {self.Ut_n * 1e3:.2f}, p {self.Ut_p * 1e3:.2f}), "
            f"exponential over {self.decades_n:.1f} (n) / {self.decades_p:.1f} (p) decades, "
            f"kappa_n = {self.kappa_n_body:.3f} at Vsb = {self.vsb:g} V (body effect)"
        )


def extract_transistor(cache: bool = True) -> TransistorFit:
    """Measure kappa_n, kappa_p, I0 and Ut of the model card with ``circuits/mosfet_tb-dc.cir``.

    Two ngspice DC sweeps (about half a second, then cached): Id vs Vgs of an
    nFET, a pFET and an nFET with its source above the bulk
    (:func:`weak_inversion_fit`, :func:`exponential_decades`), and Id vs Vds
    at Vgs = 0.25 V (:func:`fit_ut`).

    Parameters
    ----------
    cache : bool
        Use the on-disk result cache of :func:`dynapse_edu.spice.ngspice.run`.

    Returns
    -------
    TransistorFit
        kappas (dimensionless), I0 (A), Ut (V) and the sweeps themselves.

    Raises
    ------
    SpiceNotAvailableError
        Without ngspice (the message says how to install it).

    Examples
    --------
    >>> tr = extract_transistor()  # doctest: +SKIP
    >>> round(tr.kappa_n, 3), round(tr.kappa_p, 3), round(tr.Ut * 1e3, 2)  # doctest: +SKIP
    (0.736, 0.675, 26.27)
    """
    sweep = ngspice.run(TRANSISTOR_TB, cache=cache)
    vgs, id_n, id_p = sweep["v(gn)"], -sweep["i(vdsn)"], -sweep["i(vmp)"]
    out = ngspice.run(TRANSISTOR_TB, {"vgs": 0.25}, analysis="dc vdsn 0 0.1 0.5m", cache=cache)
    vds = out["v(dn)"]
    ut_n, ut_p = fit_ut(vds, -out["i(vdsn)"]), fit_ut(vds, -out["i(vmp)"])
    ut = (ut_n + ut_p) / 2
    slope_n, i0_n = weak_inversion_fit(vgs, id_n)
    slope_p, i0_p = weak_inversion_fit(vgs, id_p)
    slope_body, _ = weak_inversion_fit(vgs, sweep["i(vmb)"])
    return TransistorFit(
        kappa_n=slope_n * ut,
        kappa_p=slope_p * ut,
        I0_n=i0_n,
        I0_p=i0_p,
        Ut=ut,
        Ut_n=ut_n,
        Ut_p=ut_p,
        decades_n=exponential_decades(vgs, id_n),
        decades_p=exponential_decades(vgs, id_p),
        kappa_n_body=slope_body * ut,
        vsb=float(ngspice.netlist_params(TRANSISTOR_TB)["vsb"]),
        vgs=vgs,
        id_n=id_n,
        id_p=id_p,
    )


# --- the DPI synapse netlist -> Params --------------------------------------------------
DPI_TB = "dpi_synapse_tb-pulse.cir"


@dataclass(frozen=True)
class DPIBiases:
    """The DPI synapse's biases as the circuit gets them (replica devices), and what follows.

    ``I_w``, ``I_g``, ``I_tau`` (A) measured on replicas (``I_tau``: the leak bias, read with its
    drain at 1.5 V); ``I_leak`` (A): the net current that recharges the capacitor between pulses,
    at Vsyn = Vthr (:func:`measure_dpi_leak`: the leak at its own drain voltage minus the pulse
    switch's off-current, 1.6 % below ``I_tau`` at the defaults), the behavioural model's leak;
    ``C`` (F) and ``pulse_width`` (s) from the netlist; ``tau`` = C Ut / (kappa_p I_leak) (s),
    ``alpha`` = I_g / I_leak, ``I_rest`` (A): the output at rest (leakage of the
    output pFET, the floor I0 of the behavioural model); ``jump`` (A): the
    rise of one pulse from rest by :func:`~dynapse_edu.core.synapse.dpi_charge`.
    """

    I_w: float
    I_g: float
    I_tau: float
    I_leak: float
    C: float
    pulse_width: float
    tau: float
    alpha: float
    I_rest: float
    jump: float
    netlist_params: dict[str, float]


def measure_dpi_biases(
    netlist_params: Mapping[str, float] | None = None, transistor: TransistorFit | None = None, cache: bool = True
) -> DPIBiases:
    """Operating point of ``dpi_synapse_tb-pulse.cir``: the bias currents on its replica devices, and what follows.

    Two ngspice operating points (milliseconds): the pulse testbench's replicas, and the net leak
    of :func:`measure_dpi_leak`. The time constant is
    :func:`~dynapse_edu.core.synapse.dpi_tau` with the pFETs' kappa and the net leak, the jump of
    one pulse :func:`~dynapse_edu.core.synapse.dpi_charge` from rest.

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the testbench's ``.param`` values (``iw``, ``ig``, ``itau`` in A,
        ``csyn`` in F, ``tpulse`` in s, ...), SI units.
    transistor : TransistorFit, optional
        The model card's parameters (default: :func:`extract_transistor`).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    DPIBiases
        Currents in A, C in F, pulse width and tau in s, alpha dimensionless.

    Examples
    --------
    >>> b = measure_dpi_biases()  # doctest: +SKIP
    >>> round(b.I_w * 1e9, 2), round(b.I_g * 1e12, 1), round(b.tau * 1e3, 3), round(b.jump * 1e12, 1)  # doctest: +SKIP
    (10.36, 82.4, 3.917, 82.8)
    """
    tr = transistor or extract_transistor(cache=cache)
    values = {**ngspice.netlist_params(DPI_TB), **{k.lower(): float(v) for k, v in (netlist_params or {}).items()}}
    op = ngspice.run(DPI_TB, netlist_params, analysis="op", cache=cache)
    I_w = float(-op["i(vrw)"][0])
    I_tau = float(op["i(vrt)"][0])
    I_g = float(op["i(vrg)"][0])
    I_rest = float(op["i(vout)"][0])
    I_leak = measure_dpi_leak(netlist_params, cache=cache)
    C = float(values["csyn"])
    tau = float(dpi_tau(C, I_leak, tr.Ut, tr.kappa_p))
    width = float(values["tpulse"])
    jump = dpi_charge(width, I_rest, I_w, I_g, I_leak, tau) - I_rest
    return DPIBiases(I_w, I_g, I_tau, I_leak, C, width, tau, I_g / I_leak, I_rest, jump, values)


DPI_LEAK_TB = "dpi_synapse_tb-leak.cir"


def params_for(
    testbench: str, netlist_params: Mapping[str, float] | None, set_here: tuple[str, ...] = ()
) -> dict[str, float]:
    """The overrides among ``netlist_params`` that ``testbench`` has, lower-cased, without those in ``set_here``.

    The DC testbenches beside a transient one (``dpi_synapse_tb-leak.cir`` beside the pulse
    testbench, ``neuron_dpi_tb-ahp.cir`` beside the neuron's) share its bias knobs but not its
    input's (``tpulse``, ``iin`` ...): a caller hands them the transient's overrides and each keeps
    what applies; ``set_here`` names the knobs the measuring function sets itself.

    Examples
    --------
    >>> params_for("dpi_synapse_tb-leak.cir", {"IW": 5e-9, "tpulse": 1e-5, "pulse_on": 1}, set_here=("pulse_on",))
    {'iw': 5e-09}
    """
    known = ngspice.netlist_params(testbench)
    return {
        k.lower(): float(v)
        for k, v in (netlist_params or {}).items()
        if k.lower() in known and k.lower() not in set_here
    }


def measure_dpi_leak(
    netlist_params: Mapping[str, float] | None = None, dv: float = 0.0, cache: bool = True
) -> float:
    r"""The net current that recharges the DPI's capacitor with the input off, at Vsyn = Vthr + ``dv``, in A.

    One ngspice operating point of ``circuits/dpi_synapse_tb-leak.cir``: the synapse with its input
    off and Vsyn held by a source. The DPI equation's leak :math:`I_\tau` is the current that
    recharges :math:`C_{syn}` between pulses; on the circuit it is the leak pFET's current at its
    own drain voltage :math:`V_{dd} - V_{syn}` (the Early effect, and the
    :math:`1 - e^{-V_{sd}/U_T}` factor near rest) minus the share of the pulse switch's
    off-current that the pair takes from the capacitor (about :math:`I_{0n}/2` at Vsyn = Vthr).
    The default holds Vsyn at the gain bias Vthr, where the output carries :math:`I_g` and the
    pair splits in half: the middle of the range where a train's dynamics are decided. There the
    net leak is 1.6 % below the leak bias read on its replica at 1.5 V (the pulse testbench's
    ``I_tau``); 4 % below at 10 pA of output, 10 % at 1 pA (``circuits/README.md``).

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the pulse testbench's ``.param`` values; those the leak testbench has
        (``iw``, ``ig``, ``itau``, ``csyn``, ``vdd``, ``vout_dc``) are passed on, the input's
        (``tpulse``, ``npulse``, ...) do not apply.
    dv : float
        Vsyn above Vthr, V (negative: a larger output).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    float
        The net current into the capacitor node, A.

    Examples
    --------
    >>> round(measure_dpi_leak() * 1e12, 2)  # pA, the leak bias 20.21 pA on its replica  # doctest: +SKIP
    19.88
    """
    params = params_for(DPI_LEAK_TB, netlist_params)
    op = ngspice.run(DPI_LEAK_TB, {**params, "dvsyn": float(dv)}, analysis="op", cache=cache)
    return float(-op["i(vhold)"][0])


@dataclass(frozen=True)
class OutputReadout:
    r"""The DPI's output pFET as it is: the model's current read through its measured I-V curve.

    The behavioural model's :math:`I_{syn} = I_g e^{\kappa_p (V_{thr} - V_{syn})/U_T}` is the
    weak-inversion exponential through :math:`I_g` (measured on a real pFET at Vthr). The output
    transistor ``msyn`` follows it up to about 300 pA, then leaves weak inversion: at 2 nA it
    carries 7 % less than the exponential, at 16 nA 23 % less. Calling the readout maps model
    currents to what the output transistor carries at the same gate voltage: the gate voltage
    from the exponential, the current from the pFET's measured sweep (``vsg``, ``i_d``: V, A, at
    the output's drain voltage). Below :math:`I_g` it is the identity within 1 %. The DPI's
    dynamics (on Vsyn) are not changed: only what the output transistor delivers.
    """

    vsg: np.ndarray
    i_d: np.ndarray
    I_g: float
    kappa_p: float
    Ut: float

    def __call__(self, i_syn: ArrayLike) -> np.ndarray:
        """The output transistor's current (A) at the gate voltage where the exponential gives ``i_syn`` (A)."""
        i_syn = np.asarray(i_syn, float)
        log_i = np.log(self.i_d)
        v_g = np.interp(np.log(self.I_g), log_i, self.vsg)
        v = v_g + self.Ut / self.kappa_p * np.log(np.maximum(i_syn, 1e-300) / self.I_g)
        exponential = np.log(self.I_g) + self.kappa_p * (self.vsg - v_g) / self.Ut
        factor = np.exp(np.interp(v, self.vsg, log_i - exponential))
        return i_syn * factor


def measure_output_readout(
    I_g: float, netlist_params: Mapping[str, float] | None = None, transistor: TransistorFit | None = None,
    cache: bool = True,
) -> OutputReadout:
    """The DPI output pFET's measured I-V curve at the testbench's output voltage, as an :class:`OutputReadout`.

    One ngspice DC sweep of ``mosfet_tb-dc.cir`` (the pFET's Vsg from 0 to 1 V with its Vsd at
    Vdd - ``vout_dc``, 0.9 V at the defaults: the same sweep :func:`extract_transistor` reads).

    Parameters
    ----------
    I_g : float
        The gain current the exponential passes through, A (the replica's, :class:`DPIBiases`).
    netlist_params : dict, optional
        Overrides of the pulse testbench's ``.param`` values (``vdd``, ``vout_dc`` matter).
    transistor : TransistorFit, optional
        For kappa_p and Ut (default: :func:`extract_transistor`).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    OutputReadout
        Callable on model currents, A -> A.

    Examples
    --------
    >>> readout = measure_output_readout(82.4e-12)  # doctest: +SKIP
    >>> [round(float(readout(i) / i), 3) for i in (100e-12, 2e-9, 16e-9)]  # doctest: +SKIP
    [0.999, 0.921, 0.782]
    """
    tr = transistor or extract_transistor(cache=cache)
    values = {**ngspice.netlist_params(DPI_TB), **{k.lower(): float(v) for k, v in (netlist_params or {}).items()}}
    vsd = round(float(values["vdd"]) - float(values["vout_dc"]), 6)
    sweep = ngspice.run(TRANSISTOR_TB, {"vds": vsd}, cache=cache)
    vsg, i_d = np.asarray(sweep["v(gn)"]), np.abs(np.asarray(sweep["i(vmp)"]))
    keep = vsg > 0.02  # above the sweep's first steps, where the drain-bulk leakage is of the order of the current
    return OutputReadout(vsg[keep], i_d[keep], float(I_g), tr.kappa_p, tr.Ut)


def effective_capacitance(C: float, kappa_circuit: float, params: Params) -> float:
    """Capacitance that gives the core's mean-kappa time constant the circuit's value, in F.

    The core computes tau = C Ut / (kappa I_tau) with kappa = (kappa_n + kappa_p) / 2;
    a circuit whose output device is of one type has tau = C Ut / (kappa_circuit I_tau).
    Scaling C by kappa / kappa_circuit keeps I_tau, the real leak current (it also
    enters the soma's I_sum), and matches tau.

    Parameters
    ----------
    C : float
        The circuit's capacitance, F.
    kappa_circuit : float
        Slope factor of the circuit's output device.
    params : Params
        Parameters whose mean kappa the core uses.

    Returns
    -------
    float
        The effective capacitance, F.

    Examples
    --------
    >>> p = Params(kappa_n=0.74, kappa_p=0.68)
    >>> C = effective_capacitance(2e-12, 0.68, p)
    >>> round(C * 1e12, 4)  # pF
    2.0882
    >>> round(dpi_tau(C, 20e-12, p.Ut, p.kappa) / dpi_tau(2e-12, 20e-12, p.Ut, 0.68), 12)  # the same tau
    1.0
    """
    return float(C * params.kappa / kappa_circuit)


def dpi_params(
    biases: DPIBiases,
    transistor: TransistorFit,
    synapse: str = "AMPA",
    base: ParamsLike = None,
) -> Params:
    """Behavioural parameters of one synapse type from the measured DPI biases.

    Sets I0 (the output's resting leakage), Ut, kappa_n, kappa_p, and for
    ``synapse``: alpha = I_g/I_tau, I_tau (the net leak at the operating point, ``biases.I_leak``),
    the effective C that gives the
    circuit's tau (kappa_p) with the core's mean kappa
    (:func:`effective_capacitance`), and I_w0 so that one spike of weight 1
    adds the jump of one pulse of the circuit
    (:func:`~dynapse_edu.core.synapse.weight_current_for_jump`).

    Parameters
    ----------
    biases : DPIBiases
        From :func:`measure_dpi_biases`.
    transistor : TransistorFit
        From :func:`extract_transistor`.
    synapse : str
        The synapse type to calibrate (``"AMPA"``, ``"NMDA"``, ``"GABA_A"``, ``"GABA_B"``).
    base : Params, dict or None
        The other parameters (default: the defaults).

    Returns
    -------
    Params
        SI units.

    Examples
    --------
    >>> tr = extract_transistor()  # doctest: +SKIP
    >>> p = dpi_params(measure_dpi_biases(transistor=tr), tr, "AMPA")  # doctest: +SKIP
    >>> round(p.tau_syn("AMPA") * 1e3, 3), round(p.jump("AMPA") * 1e12, 1)  # ms, pA  # doctest: +SKIP
    (3.917, 82.8)
    """
    key = synapse_key(synapse)
    p = resolve(base).replace(
        I0=biases.I_rest, Ut=transistor.Ut, kappa_n=transistor.kappa_n, kappa_p=transistor.kappa_p
    )
    return p.replace(
        **{
            f"C_{key}": effective_capacitance(biases.C, transistor.kappa_p, p),
            f"I_tau_{key}": biases.I_leak,
            f"alpha_{key}": biases.alpha,
            f"I_w0_{key}": weight_current_for_jump(biases.jump, biases.alpha),
        }
    )


# --- the DPI's steady-state gain: the pair's body effect ------------------------------------
@dataclass(frozen=True)
class GainExponentFit:
    r"""The DPI synapse's steady-state output against its weight current, and the exponent fitted to it.

    ``i_w`` (A): the weight currents of the sweep (replica-measured), ``i_syn`` (A): the output with
    the input held on; ``I_g``, ``I_tau`` (A): the gain and leak on their replicas; ``gamma``
    (dimensionless): the fitted output exponent, the core's ``Params.gamma_syn``
    (:mod:`dynapse_edu.core.synapse`, "The pair's body effect"); ``rms_log_error``: the
    root-mean-square of ln(model / circuit) over the fitted points; ``kappa_ratio``: kappa_p /
    kappa_n' from the single-transistor sweeps (:func:`extract_transistor`), the exponent the
    derivation predicts (nan when not given).

    **Why an exponent (the body effect of the pair).** The DPI's differential pair (``min``,
    ``mthr`` in ``circuits/dpi_synapse.cir``) is made of nFETs whose common source sits about
    1.2 V above their bulk. In weak inversion both arms share that source, so their ratio depends
    only on the gate voltages, with the *body-effect* slope factor :math:`\kappa_n'` (0.81 here,
    not 0.74): :math:`I_1 / I_2 = e^{\kappa_n' (V_{syn} - V_{thr}) / U_T}`. The currents the pair
    compares are pFET-referenced, :math:`I_{syn} = I_0 e^{\kappa_p (V_{dd} - V_{syn})/U_T}` and
    :math:`I_g = I_0 e^{\kappa_p (V_{dd} - V_{thr})/U_T}`, so the capacitor's arm takes
    :math:`I_w / (1 + (I_{syn}/I_g)^{1/\gamma})`, :math:`\gamma = \kappa_p/\kappa_n'`, and with the
    input held on the steady state is :math:`I_g (I_w/I_\tau - 1)^{\gamma}`
    (:func:`~dynapse_edu.core.synapse.dpi_steady_state` with ``gamma``), where the ideal DPI gives
    :math:`I_g (I_w/I_\tau - 1)`.
    """

    i_w: np.ndarray
    i_syn: np.ndarray
    I_g: float
    I_tau: float
    gamma: float
    rms_log_error: float
    kappa_ratio: float = float("nan")

    def predict(self, i_w: ArrayLike) -> np.ndarray:
        """The model's steady state, I_g (I_w / I_tau - 1)^gamma for weight currents ``i_w`` (A), in A."""
        return np.asarray(dpi_steady_state(i_w, self.I_g, self.I_tau, self.gamma))


#: The weight currents (A) over which :func:`measure_gain_exponent` fits the exponent: wider than
#: the 1-16 nA the comparisons score.
GAIN_SWEEP = (0.5e-9, 32e-9)


def measure_gain_exponent(
    netlist_params: Mapping[str, float] | None = None, transistor: TransistorFit | None = None, cache: bool = True
) -> GainExponentFit:
    r"""Sweep the DPI synapse's weight current with the input held on and fit the exponent gamma.

    One ngspice DC sweep of ``dpi_synapse_tb-pulse.cir`` (``pulse_dc = 1``; the weight's bias
    current ``ibw`` from 0.5 to 32 nA, :data:`GAIN_SWEEP`; milliseconds): the output I_syn and the
    replica-measured I_w at each point. gamma is the one-parameter least-squares fit of
    :math:`\ln(I_{syn}/I_g) = \gamma \ln(I_w/I_\tau - 1)`, the steady state of the DPI with the
    output exponent (:class:`GainExponentFit`); I_g and I_tau are the replica currents, not fitted.

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the testbench's ``.param`` values (``ig``, ``itau`` in A ...); ``iw`` and
        ``pulse_dc`` are set by the sweep.
    transistor : TransistorFit, optional
        The model card's parameters, for ``kappa_ratio`` (default: :func:`extract_transistor`).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    GainExponentFit
        The sweep (A), gamma and its fit error.

    Examples
    --------
    >>> fit = measure_gain_exponent()  # doctest: +SKIP
    >>> round(fit.gamma, 3), round(fit.kappa_ratio, 3)  # doctest: +SKIP
    (0.812, 0.828)
    """
    tr = transistor or extract_transistor(cache=cache)
    params = {k: v for k, v in (netlist_params or {}).items() if k.lower() not in ("iw", "pulse_dc")}
    biases = measure_dpi_biases(params, tr, cache=cache)
    lo, hi = GAIN_SWEEP
    sweep = ngspice.run(DPI_TB, {**params, "pulse_dc": 1}, analysis=f"dc ibw {lo:g} {hi:g} {lo / 5:g}", cache=cache)
    i_w, i_syn = -sweep["i(vrw)"], sweep["i(vout)"]
    x, y = np.log(i_w / biases.I_tau - 1), np.log(i_syn / biases.I_g)
    gamma = float(np.sum(x * y) / np.sum(x * x))
    model = dpi_steady_state(i_w, biases.I_g, biases.I_tau, gamma)
    rms = float(np.sqrt(np.mean(np.log(model / i_syn) ** 2)))
    return GainExponentFit(i_w, i_syn, biases.I_g, biases.I_tau, gamma, rms, tr.kappa_p / tr.kappa_n_body)


class OutputExponent:
    """A DPI synapse's output exponent, gamma = kappa_p / kappa_pair (the core's ``Params.gamma_syn``).

    The base of :class:`PairExponent` (kappa_pair from one body-effect nFET in weak inversion, the
    steady state's) and :class:`PairSplit` (from the pair's split around balance, the trains'):
    ``kappa_pair``, the pair's slope factor, and ``kappa_p``, the output pFET's (dimensionless).
    """

    kappa_pair: float
    kappa_p: float

    @property
    def gamma(self) -> float:
        """kappa_p / kappa_pair (dimensionless)."""
        return self.kappa_p / self.kappa_pair


@dataclass(frozen=True)
class PairExponent(OutputExponent):
    """The output exponent of a DPI synapse from its pair's own transistors: gamma = kappa_p / kappa_pair.

    ``vsb`` (V): the differential pair's common source above the bulk at the synapse's operating
    point (the input held on, ``v(xsyn.vx)``); ``kappa_pair``: the slope factor of an nFET with its
    source there (the pair's arms, body effect); ``kappa_p``: the output pFET's; ``gamma``
    (dimensionless): their ratio, the core's ``Params.gamma_syn``.
    """

    vsb: float
    kappa_pair: float
    kappa_p: float


def measure_pair_exponent(
    netlist_params: Mapping[str, float] | None = None, transistor: TransistorFit | None = None, cache: bool = True
) -> PairExponent:
    r"""Measure the synapse's output exponent on its pair's transistors, at the pair's own source voltage.

    The pair's share of the weight current is :math:`1/(1 + (I_{syn}/I_g)^{\kappa_{pair}/\kappa_p})`
    (:class:`GainExponentFit` derives it), so the core's exponent is
    :math:`\gamma = \kappa_p / \kappa_{pair}` (:mod:`dynapse_edu.core.synapse`, "The pair's body
    effect"). One operating point of ``dpi_synapse_tb-pulse.cir`` with the input held on gives the
    pair's common source :math:`V_{sb}` (0.95-1.03 V for 5-20 nA of weight current); one DC sweep of
    ``mosfet_tb-dc.cir`` with the body-effect nFET's source there gives :math:`\kappa_{pair}`
    (:func:`weak_inversion_fit`). Nothing is fitted to the synapse's output. The steady-state sweep's
    exponent (:func:`measure_gain_exponent`, 0.814) is smaller: at 2-40 nA of output the output pFET
    leaves weak inversion, which the behavioural model has not (``circuits/README.md``).

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the DPI testbench's ``.param`` values (``iw`` sets the operating point), SI units.
    transistor : TransistorFit, optional
        The model card's parameters, for kappa_p (default: :func:`extract_transistor`).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    PairExponent
        vsb (V), the two kappas and gamma.

    Examples
    --------
    >>> pair = measure_pair_exponent({"iw": 20e-9})  # doctest: +SKIP
    >>> round(pair.vsb, 3), round(pair.kappa_pair, 3), round(pair.gamma, 3)  # doctest: +SKIP
    (0.949, 0.804, 0.839)
    """
    tr = transistor or extract_transistor(cache=cache)
    params = {k: v for k, v in (netlist_params or {}).items() if k.lower() != "pulse_dc"}
    op = ngspice.run(DPI_TB, {**params, "pulse_dc": 1}, analysis="op", cache=cache)
    vsb = round(float(op["v(xsyn.vx)"][0]), 4)
    sweep = ngspice.run(TRANSISTOR_TB, {"vsb": vsb}, cache=cache)
    slope, _ = weak_inversion_fit(sweep["v(gn)"], sweep["i(vmb)"])
    return PairExponent(vsb=vsb, kappa_pair=slope * tr.Ut, kappa_p=tr.kappa_p)


#: How far either side of the gain bias Vthr (V) :func:`measure_pair_split` holds Vsyn and fits the split:
#: 0.1 V is I_syn from about I_g / 13 to 13 I_g, the capacitor's arm taking from 95 % to 5 % of I_w:
#: the range a train of the comparisons crosses while it charges through balance.
SPLIT_SPAN = 0.1


@dataclass(frozen=True)
class PairSplit(OutputExponent):
    """The DPI pair's split of the weight current around balance, measured with the input on.

    ``dv`` (V): Vsyn - Vthr, where Vsyn is held; ``i_in`` (A): the current the capacitor's arm
    (``min``) takes, ``I_w`` (A): the replica's weight current, the rest flowing through ``mthr``;
    ``kappa_pair``: U_T times the slope of ln(I_thr / I_in) against -``dv`` over
    :data:`SPLIT_SPAN` either side of balance; ``kappa_p``: the output pFET's; ``gamma`` = kappa_p /
    kappa_pair, the output exponent of the split where a train crosses I_g.
    """

    dv: np.ndarray
    i_in: np.ndarray
    I_w: float
    kappa_pair: float
    kappa_p: float


def measure_pair_split(
    netlist_params: Mapping[str, float] | None = None, transistor: TransistorFit | None = None, cache: bool = True
) -> PairSplit:
    r"""Measure the pair's split of the weight current around balance, and the exponent it gives.

    Two ngspice DC sweeps of ``circuits/dpi_synapse_tb-leak.cir`` (Vsyn held from :data:`SPLIT_SPAN`
    below to as far above Vthr; the input on, then off): the current the capacitor's arm takes is the
    difference of the two net currents into the capacitor node. In weak inversion
    :math:`I_{thr}/I_{in} = e^{\kappa_{pair}(V_{thr} - V_{syn})/U_T}`, the pair's share
    :math:`1/(1 + (I_{syn}/I_g)^{1/\gamma})` with :math:`\gamma = \kappa_p/\kappa_{pair}`
    (:class:`PairExponent`). At balance each arm carries :math:`I_w/2`, 2.5-10 nA for 5-20 nA of
    weight current, and enters moderate inversion, where the split is softer: the slope fitted
    over the sweep gives :math:`\kappa_{pair}` 0.80 / 0.79 / 0.77 at 5 / 10 / 20 nA (gamma 0.843 /
    0.859 / 0.878; 0.79 / 0.78 / 0.76 nearer balance, where ln(I_thr/I_in) is within +-2), against 0.80-0.81 from the
    weak-inversion sweep of one body-effect nFET (:func:`measure_pair_exponent`, the steady state's
    exponent, far from balance). A train of short pulses charges the DPI through balance
    (I_syn ~ I_g): this is the exponent its comparison uses. Far above I_g (long pulses at high
    rates, the steady state) the split is the weak-inversion one again.

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the pulse testbench's ``.param`` values; those the leak testbench has (``iw``,
        ``ig``, ``itau``, ``csyn``, ``vdd``, ``vout_dc``) apply.
    transistor : TransistorFit, optional
        For kappa_p and Ut (default: :func:`extract_transistor`).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    PairSplit
        The sweep (V, A), kappa_pair and gamma.

    Examples
    --------
    >>> split = measure_pair_split({"iw": 20e-9})  # doctest: +SKIP
    >>> round(split.kappa_pair, 3), round(split.gamma, 3)  # doctest: +SKIP
    (0.768, 0.878)
    """
    tr = transistor or extract_transistor(cache=cache)
    params = params_for(DPI_LEAK_TB, netlist_params, set_here=("pulse_on", "dvsyn"))
    sweep = f"dc vhold {-SPLIT_SPAN:g} {SPLIT_SPAN:g} 2m"  # Vsyn = Vthr - v(vhold)
    on = ngspice.run(DPI_LEAK_TB, {**params, "pulse_on": 1}, analysis=sweep, cache=cache)
    off = ngspice.run(DPI_LEAK_TB, {**params, "pulse_on": 0}, analysis=sweep, cache=cache)
    I_w = measure_dpi_biases(netlist_params, tr, cache=cache).I_w  # a weight current below the leak raises here
    dv = np.asarray(on["v(vsyn)"] - on["v(vthr)"])
    i_in = np.asarray(on["i(vhold)"] - off["i(vhold)"])  # the arm's current, taken from the node
    inside = (i_in > 0) & (i_in < I_w)
    log_ratio = np.log((I_w - i_in[inside]) / i_in[inside])
    slope = -float(np.polyfit(dv[inside], log_ratio, 1)[0])  # I_thr / I_in falls as Vsyn rises
    return PairSplit(dv=dv, i_in=i_in, I_w=I_w, kappa_pair=slope * tr.Ut, kappa_p=tr.kappa_p)


# --- the neuron netlist -> Params -------------------------------------------------------
NEURON_TB = "neuron_adexp_tb-fi.cir"
NEURON_DC_TB = "neuron_adexp_tb-dc.cir"
COMPARATOR_TB = "spike_comparator_tb-dc.cir"
#: The range of the comparator's feedback fit, in decades of I_mem below the switching current:
#: it holds the leakage floor, the switch and nothing above it (the feedback is flat there).
COMPARATOR_FIT_DECADES = 0.3


def measure_comparator_feedback(netlist_params: Mapping[str, float] | None = None, cache: bool = True) -> FeedbackFit:
    """Sweep the comparator neuron's threshold and feedback (``spike_comparator_tb-dc.cir``) and fit the sigmoid.

    One ngspice DC sweep of the membrane voltage (tens of milliseconds): the feedback current the
    switched mirror sources onto the membrane against I_mem (an nFET copy at the membrane voltage,
    as the neuron's probe). The spike is decided where the first spike inverter's output crosses
    Vdd/2 (``i_switch``: the model's threshold I_th); the sigmoid is fitted on the current itself
    (:func:`fit_feedback` with ``log=False``) over :data:`COMPARATOR_FIT_DECADES` below it. The
    circuit's feedback is switched: with the defaults it turns on between 0.90 and 0.95 of the
    switching current (4 pA to 1.03 nA over 6 % of I_mem: the comparator's gain is set by the Early
    effect), with only the switch's leakage (0.3-2 pA) below.

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the neuron's ``.param`` values; ``ith``, ``ipfb`` (A) and ``vdd`` (V) reach the
        comparator, the others are ignored here.
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    FeedbackFit
        The sweep (A), the fit (A) and the switching current ``i_switch`` (A).

    Raises
    ------
    ParameterError
        When the comparator never switches over the sweep.

    Examples
    --------
    >>> fb = measure_comparator_feedback()  # doctest: +SKIP
    >>> fb.i_switch * 1e9, fb.threshold * 1e9, fb.norm * 1e12  # nA, nA, pA  # doctest: +SKIP
    (1.0949..., 1.0171..., 4.406...)
    """
    known = ("ith", "ipfb", "vdd")
    params = {k.lower(): float(v) for k, v in (netlist_params or {}).items() if k.lower() in known}
    sweep = ngspice.run(COMPARATOR_TB, params, cache=cache)
    i_mem, i_fb, v_spk = np.abs(sweep["i(vimem)"]), sweep["i(vifb)"], sweep["v(vspk)"]
    vdd = params.get("vdd", float(ngspice.netlist_params(COMPARATOR_TB)["vdd"]))
    switched = np.flatnonzero(v_spk > vdd / 2)
    if switched.size == 0:
        raise ParameterError("the comparator never switches over the sweep: check ith, ipfb and vdd")
    i_switch = float(i_mem[switched[0]])
    fit = fit_feedback(i_mem, i_fb, i_switch, COMPARATOR_FIT_DECADES, log=False)
    return FeedbackFit(i_mem, i_fb, fit.i_max, fit.gain, fit.threshold, fit.norm, fit.rms_log_error, i_switch)


@dataclass(frozen=True)
class NeuronBiases:
    """The neuron's biases as its devices get them (replicas of ``neuron_adexp_tb-dc.cir``).

    Currents in A: ``I_tau`` (leak), ``I_g`` (membrane gain), ``I_th``
    (threshold), ``I_pfb`` (feedback), ``I_ref`` (refractory discharge),
    ``I_ahw``, ``I_ahg``, ``I_ahtau`` (AHP weight, gain, leak). ``V_sw`` (V):
    switching voltage of the inverter ending the refractory period;
    ``t_ref`` = C_ref (Vdd - V_sw) / I_ref (s); ``tau_mem``, ``tau_ahp`` (s) with
    kappa_n; ``ahp_jump`` (A): the AHP current added by one spike from rest
    (the AHP DPI charged for t_ref, :func:`~dynapse_edu.core.synapse.dpi_charge`);
    ``feedback``: the comparator's switched feedback against I_mem and the sigmoid fitted to it
    (:func:`measure_comparator_feedback`).
    """

    I_tau: float
    I_g: float
    I_th: float
    I_pfb: float
    I_ref: float
    I_ahw: float
    I_ahg: float
    I_ahtau: float
    V_sw: float
    t_ref: float
    tau_mem: float
    tau_ahp: float
    ahp_jump: float
    feedback: FeedbackFit
    netlist_params: dict[str, float]
    pair: MembranePair | None = None
    feedback_pair: FeedbackFit | None = None


def measure_neuron_biases(
    netlist_params: Mapping[str, float] | None = None, transistor: TransistorFit | None = None, cache: bool = True
) -> NeuronBiases:
    """Run ``neuron_adexp_tb-dc.cir`` and ``spike_comparator_tb-dc.cir``: bias currents, V_sw, feedback.

    Two ngspice DC sweeps (tens of milliseconds each): the replica currents and the
    switching voltage of the inverter that ends the refractory period; the comparator's
    feedback against I_mem (:func:`measure_comparator_feedback`).

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the neuron testbench's ``.param`` values (``itau``, ``ig``, ``ith``,
        ``irfr``, ``iahw`` ... in A, ``cmem``, ``cref``, ``cahp`` in F), SI units;
        ``tstop`` and ``tmax`` are ignored here.
    transistor : TransistorFit, optional
        The model card's parameters (default: :func:`extract_transistor`).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    NeuronBiases
        Currents in A, V_sw in V, times in s.

    Examples
    --------
    >>> b = measure_neuron_biases()  # doctest: +SKIP
    >>> round(b.I_th * 1e9, 3), round(b.t_ref * 1e3, 3), round(b.tau_mem * 1e3, 1)  # nA, ms, ms  # doctest: +SKIP
    (1.024, 2.528, 57.3)
    """
    tr = transistor or extract_transistor(cache=cache)
    params = {k: v for k, v in (netlist_params or {}).items() if k.lower() not in ("tstop", "tmax")}
    values = {**ngspice.netlist_params(NEURON_TB), **{k.lower(): float(v) for k, v in (netlist_params or {}).items()}}
    dc = ngspice.run(NEURON_DC_TB, params, cache=cache)
    cur = {name: abs(float(dc[name][0])) for name in dc.names if name.startswith("i(")}
    v_in, v_out = dc["v(inv_in)"], dc["v(inv_out)"]
    vdd = values["vdd"]
    v_sw = float(np.interp(vdd / 2, v_out[::-1], v_in[::-1]))
    I_ref = cur["i(vrrf)"]
    t_ref = values["cref"] * (vdd - v_sw) / I_ref
    I_tau, I_ahtau = cur["i(vrtau)"], cur["i(vrat)"]
    tau_mem = float(dpi_tau(values["cmem"], I_tau, tr.Ut, tr.kappa_n))
    tau_ahp = float(dpi_tau(values["cahp"], I_ahtau, tr.Ut, tr.kappa_n))
    I_ahw, I_ahg = cur["i(vrag)"], cur["i(vrah)"]
    try:
        ahp_jump = dpi_charge(t_ref, tr.I0_n, I_ahw, I_ahg, I_ahtau, tau_ahp) - tr.I0_n
    except ParameterError:  # AHP weight too small to charge its DPI: adaptation off
        ahp_jump = 0.0
    return NeuronBiases(
        I_tau=I_tau,
        I_g=cur["i(vrg)"],
        I_th=cur["i(vrth)"],
        I_pfb=cur["i(vrpf)"],
        I_ref=I_ref,
        I_ahw=I_ahw,
        I_ahg=I_ahg,
        I_ahtau=I_ahtau,
        V_sw=v_sw,
        t_ref=float(t_ref),
        tau_mem=tau_mem,
        tau_ahp=tau_ahp,
        ahp_jump=float(ahp_jump),
        feedback=measure_comparator_feedback({k: values[k] for k in ("ith", "ipfb", "vdd")}, cache=cache),
        netlist_params=values,
    )


def neuron_params(
    biases: NeuronBiases, transistor: TransistorFit, base: ParamsLike = None
) -> Params:
    """Behavioural soma parameters from the measured neuron biases.

    I0 = I_reset = the nFET leakage I0_n (the reset holds Vmem at ground);
    C_mem, C_ahp effective (kappa_n circuits, :func:`effective_capacitance`);
    I_tau_mem, alpha_mem = I_g/I_tau, t_ref from the refractory circuit; the threshold
    ``I_th`` = the I_mem at which the comparator decides the spike and the feedback sigmoid
    (``I_pfb_gain``, ``I_pfb_th``, ``I_pfb_norm``) fitted to the comparator's DC sweep
    (:func:`measure_comparator_feedback`: a switch about 1 % of I_th wide, not a chosen width);
    the AHP DPI fed by its weight current ``I_ahw`` for the refractory period per spike, as this
    netlist does, through the full DPI equation (``t_pulse_ahp`` = ``t_ref``).

    Parameters
    ----------
    biases : NeuronBiases
        From :func:`measure_neuron_biases`.
    transistor : TransistorFit
        From :func:`extract_transistor`.
    base : Params, dict or None
        The other parameters (default: the defaults).

    Returns
    -------
    Params
        SI units.

    Examples
    --------
    >>> tr = extract_transistor()  # doctest: +SKIP
    >>> p = neuron_params(measure_neuron_biases(transistor=tr), tr)  # doctest: +SKIP
    >>> round(p.tau_mem * 1e3, 1), round(p.t_ref * 1e3, 3), round(p.I_th * 1e9, 3)  # ms, ms, nA  # doctest: +SKIP
    (57.3, 2.528, 1.095)
    """
    fb = biases.feedback
    return _soma_params(
        biases, transistor, base, biases.t_ref,
        I_th=fb.i_switch, I_pfb_gain=fb.gain, I_pfb_th=fb.threshold, I_pfb_norm=fb.norm,
    )


def _soma_params(
    biases: Any,
    transistor: TransistorFit,
    base: ParamsLike,
    t_pulse_ahp: float,
    I_tau_ahp: float | None = None,
    **spike: float,
) -> Params:
    """The Params both neuron netlists share (membrane, reset, refractory period, AHP DPI), plus ``spike``.

    The AHP DPI is fed, as in the netlists, by its weight current ``I_ahw`` for ``t_pulse_ahp``
    per spike, through the full DPI equation (``Params.t_pulse_ahp``): each spike's charge grows
    with the adaptation current already there, as in the circuit (issue 12 item 2). Its leak is
    ``I_tau_ahp`` (A; default: the replica's ``I_ahtau``).

    ``spike`` holds what the two netlists set differently: the threshold and the feedback
    (``I_th``, ``I_pfb_gain``, ``I_pfb_th``, ``I_pfb_norm``). One ``replace``, so that Params
    checks the finished set.
    """
    values = biases.netlist_params
    p = resolve(base).replace(
        I0=transistor.I0_n, Ut=transistor.Ut, kappa_n=transistor.kappa_n, kappa_p=transistor.kappa_p
    )
    I_tau_ahp = biases.I_ahtau if I_tau_ahp is None else float(I_tau_ahp)
    ahp_alpha = biases.I_ahg / I_tau_ahp
    return p.replace(
        C_mem=effective_capacitance(values["cmem"], transistor.kappa_n, p),
        I_tau_mem=biases.I_tau,
        alpha_mem=biases.I_g / biases.I_tau,
        I_reset=transistor.I0_n,
        t_ref=biases.t_ref,
        C_ahp=effective_capacitance(values["cahp"], transistor.kappa_n, p),
        I_tau_ahp=I_tau_ahp,
        alpha_ahp=ahp_alpha,
        I_w_ahp=biases.I_ahw,
        t_pulse_ahp=t_pulse_ahp,
        **spike,
    )


# --- the DPI neuron netlist (spike-event amplifier) -> Params ------------------------------
NEURON_DPI_TB = "neuron_dpi_tb-fi.cir"
NEURON_DPI_DC_TB = "neuron_dpi_tb-dc.cir"
FEEDBACK_TB = "spike_amplifier_tb-dc.cir"
#: The behavioural threshold of the DPI neuron as a fraction of the membrane current at which the
#: spike amplifier's inverter switches (the circuit's spike), and the width (decades of I_mem) of
#: the range below it over which the feedback sigmoid is fitted. The circuit's feedback is k I_mem
#: (finite-time blow-up), the model's a sigmoid of I_mem followed by a hard threshold: no choice
#: makes them equal. These two are our choices, the best F-I agreement among fractions 0.01-0.5 and
#: widths 1.5-3 decades tried on 10 pA - 2 nA (at 0.05 the feedback at threshold is ~40 I_tau, the
#: upswing is already explosive; at 0.5 the model fires up to 27 % slower, at 0.01 up to 48 % faster).
FEEDBACK_THRESHOLD_FRACTION = 0.05
#: The width, in decades of I_mem, of the range below the threshold where the sigmoid is fitted (see above).
FEEDBACK_FIT_DECADES = 2.0


def feedback_sigmoid(i_mem: ArrayLike, gain: float, threshold: float, norm: float) -> np.ndarray:
    """The behavioural positive feedback, gain / (1 + exp(-(I_mem - threshold) / norm)), in A.

    The same law as :func:`dynapse_edu.core.neuron.positive_feedback` (``I_pfb_gain``,
    ``I_pfb_th``, ``I_pfb_norm``), written on plain numbers for fitting.

    Parameters
    ----------
    i_mem : array
        Membrane currents, A.
    gain, threshold, norm : float
        Largest feedback current, membrane current at half feedback, width of the sigmoid, A.

    Returns
    -------
    ndarray
        The feedback current, A.

    Examples
    --------
    >>> float(feedback_sigmoid(1e-9, 2e-12, 1e-9, 1e-10)) * 1e12  # half the gain at the threshold, pA
    1.0
    """
    return gain * expit((np.asarray(i_mem, float) - threshold) / norm)


@dataclass(frozen=True)
class FeedbackFit:
    """The spike amplifier's feedback current vs the membrane current, and the sigmoid fitted to it.

    ``i_mem``, ``i_fb`` (A): the DC sweep (:func:`measure_feedback`); ``i_max`` (A): the top of the
    fitted range (the behavioural threshold); ``gain``, ``threshold``, ``norm`` (A): the fitted
    ``I_pfb_gain``, ``I_pfb_th``, ``I_pfb_norm``; ``rms_log_error``: root-mean-square of
    ln(fit / circuit) over the fitted points (for a linear fit, over those where the feedback
    exceeds 1 % of the gain: below, the circuit's leakage floor is no sigmoid's tail); ``i_switch``
    (A): I_mem where the spike is decided (the amplifier's inverter, or the comparator's first
    inverter, crosses Vdd/2), nan when not given.
    """

    i_mem: np.ndarray
    i_fb: np.ndarray
    i_max: float
    gain: float
    threshold: float
    norm: float
    rms_log_error: float
    i_switch: float = float("nan")

    def predict(self, i_mem: ArrayLike) -> np.ndarray:
        """The fitted feedback at ``i_mem`` (A), in A."""
        return feedback_sigmoid(i_mem, self.gain, self.threshold, self.norm)


def fit_feedback(
    i_mem: ArrayLike, i_fb: ArrayLike, i_max: float, decades: float = 2.0, log: bool = True
) -> FeedbackFit:
    """Fit the behavioural feedback sigmoid to a measured feedback current, I_mem in [i_max 10^-decades, i_max].

    Least squares on ln(I_fb) (``log=True``, for the DPI neuron's amplifier: relative errors, the
    onset, where the feedback is comparable with the pA leak, matters as much as the top; its
    feedback is k I_mem, a power law of slope 1, and the sigmoid's lower tail is an exponential
    of I_mem, so the fit cannot be exact over many decades: ``rms_log_error`` says how far it is),
    or on I_fb itself (``log=False``, for the comparator neuron's switched feedback: below its
    switch only the leakage of the switch flows, which no sigmoid describes and a log fit would
    weigh as much as the switch; the linear fit places the switch and its width).

    Parameters
    ----------
    i_mem : array
        Membrane currents, A (increasing).
    i_fb : array
        Feedback currents onto the membrane, A.
    i_max : float
        Top of the fitted range, A (> 0): the behavioural threshold.
    decades : float
        Width of the fitted range below ``i_max``, decades of I_mem (> 0).
    log : bool
        Fit ln(I_fb) (True) or I_fb (False); ``rms_log_error`` is computed on ln either way.

    Returns
    -------
    FeedbackFit
        gain, threshold and norm in A.

    Raises
    ------
    ParameterError
        For i_max <= 0, decades <= 0 or fewer than 5 points in the range.

    Examples
    --------
    A sigmoid is recovered exactly:

    >>> i = np.linspace(1e-11, 2e-9, 400)
    >>> f = fit_feedback(i, feedback_sigmoid(i, 5e-12, 1.2e-9, 2e-10), 2e-9)
    >>> round(f.gain * 1e12, 3), round(f.threshold * 1e9, 3), round(f.norm * 1e9, 3), f.rms_log_error < 1e-6
    (5.0, 1.2, 0.2, True)
    >>> f = fit_feedback(i, feedback_sigmoid(i, 1e-9, 1e-9, 1e-11), 2e-9, decades=0.5, log=False)
    >>> round(f.gain * 1e9, 3), round(f.threshold * 1e9, 3), round(f.norm * 1e12, 2)  # nA, nA, pA
    (1.0, 1.0, 10.0)
    """
    if not (i_max > 0 and decades > 0):
        raise ParameterError(f"need i_max > 0 A and decades > 0, got i_max = {i_max!r}, decades = {decades!r}")
    i_mem, i_fb = np.asarray(i_mem, float), np.asarray(i_fb, float)
    sel = (i_mem >= i_max * 10.0**-decades) & (i_mem <= i_max) & (i_fb > 0)
    if sel.sum() < 5:
        raise ParameterError(
            f"fewer than 5 points with {i_max * 10.0**-decades:g} A <= I_mem <= {i_max:g} A and I_fb > 0"
        )
    x, y = i_mem[sel] / i_max, np.log(i_fb[sel])
    scale = float(i_fb[sel].max())

    def log_model(v: np.ndarray, log_gain: float, th: float, log_norm: float) -> np.ndarray:
        return log_gain + np.log(expit((v - th) / np.exp(log_norm)))

    if log:
        p0 = (np.log(2 * scale), 0.8, np.log(0.3))
        (log_gain, th, log_norm), _ = curve_fit(log_model, x, y, p0=p0, maxfev=20000)
    else:
        half = float(x[np.argmin(np.abs(i_fb[sel] - scale / 2))])  # where the switch is half on

        def lin_model(v: np.ndarray, log_gain: float, th: float, log_norm: float) -> np.ndarray:
            return np.exp(log_model(v, log_gain, th, log_norm))

        p0 = (np.log(scale), half, np.log(0.01))
        (log_gain, th, log_norm), _ = curve_fit(lin_model, x, i_fb[sel], p0=p0, maxfev=20000)
    gain, threshold, norm = float(np.exp(log_gain)), float(th * i_max), float(np.exp(log_norm) * i_max)
    scored = np.ones(x.size, bool) if log else i_fb[sel] > 0.01 * np.exp(log_gain)  # the switch itself
    rms = float(np.sqrt(np.mean((log_model(x, log_gain, th, log_norm) - y)[scored] ** 2)))
    return FeedbackFit(i_mem, i_fb, float(i_max), gain, threshold, norm, rms)


def measure_feedback(netlist_params: Mapping[str, float] | None = None, cache: bool = True) -> FeedbackFit:
    """Sweep the spike amplifier (``circuits/spike_amplifier_tb-dc.cir``) and fit the behavioural feedback to it.

    One ngspice DC sweep of the membrane voltage (tens of milliseconds): the feedback current Ia
    the amplifier injects onto the membrane, against I_mem (an nFET copy at the membrane
    voltage). The inverter switches (its output crosses Vdd/2) at ``i_switch``; the fitted range
    ends at :data:`FEEDBACK_THRESHOLD_FRACTION` of it (the behavioural threshold) and spans
    :data:`FEEDBACK_FIT_DECADES`; :func:`fit_feedback` does the fit.

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the neuron's ``.param`` values; ``wfb``, ``lfb`` (m, the mirror that sets the
        feedback ratio) and ``vdd`` (V) reach the amplifier, the others are ignored here.
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    FeedbackFit
        The sweep (A), the fit (A) and the inverter's switching current ``i_switch`` (A).

    Raises
    ------
    ParameterError
        When the inverter never switches over the sweep.

    Examples
    --------
    >>> fb = measure_feedback()  # doctest: +SKIP
    >>> round(fb.i_switch * 1e9), round(fb.i_max * 1e9), round(fb.gain * 1e12)  # nA, nA, pA  # doctest: +SKIP
    (739, 37, 26)
    """
    known = ("wfb", "lfb", "vdd")
    params = {k.lower(): float(v) for k, v in (netlist_params or {}).items() if k.lower() in known}
    sweep = ngspice.run(FEEDBACK_TB, params, cache=cache)
    i_mem, i_fb, n1 = sweep["i(vimem)"], sweep["i(via)"], sweep["v(n1)"]
    vdd = params.get("vdd", float(ngspice.netlist_params(FEEDBACK_TB)["vdd"]))
    switched = np.flatnonzero(n1 < vdd / 2)
    if switched.size == 0:
        raise ParameterError("the spike amplifier's inverter never switches over the sweep: check vdd, wfb, lfb")
    i_switch = float(i_mem[switched[0]])
    fit = fit_feedback(i_mem, i_fb, FEEDBACK_THRESHOLD_FRACTION * i_switch, FEEDBACK_FIT_DECADES)
    return FeedbackFit(i_mem, i_fb, fit.i_max, fit.gain, fit.threshold, fit.norm, fit.rms_log_error, i_switch)


@dataclass(frozen=True)
class NeuronDPIBiases:
    """The DPI neuron's biases as its devices get them (replicas of ``neuron_dpi_tb-dc.cir``), and what follows.

    Currents in A: ``I_tau``, ``I_g`` (membrane leak and gain), ``I_ref`` (refractory discharge),
    ``I_px`` (AHP pulse extender), ``I_ahw``, ``I_ahg``, ``I_ahtau`` (AHP weight, gain, leak);
    ``I_ahp_leak``: the net current that discharges the AHP capacitor between spikes, at Vahp =
    V_ahthr (:func:`measure_ahp_leak`: the leak minus the AHP switch's off-current, 8-14 % below
    ``I_ahtau``), the model's AHP leak. ``V_sw`` (V): switching voltage of the inverters ending
    the refractory period and the AHP pulse; ``t_ref`` = C_ref (Vdd - V_sw) / I_ref (s);
    ``t_ahp`` (s): the AHP pulse as the netlist makes it, measured on a transient
    (:func:`measure_pulse_widths`: v(vpx) above V_sw);
    ``t_ahp_formula`` = C_px (Vdd - V_sw) / I_px and ``t_ref_transient`` (v(vref) above V_sw on the
    same transient), s, printed beside them: the formula misses the parasitic capacitance on the
    extender node (the pulse is about 20 % longer), and C_ref is not charged to Vdd (the reset ends
    the spike that charges it; see circuits/README.md for why the model keeps the formula's
    ``t_ref``); ``tau_mem``, ``tau_ahp`` (s) with kappa_n (``tau_ahp`` with ``I_ahp_leak``);
    ``ahp_jump`` (A): the AHP current added by
    one AHP pulse from rest (:func:`~dynapse_edu.core.synapse.dpi_charge`); ``feedback``: the spike
    amplifier's :class:`FeedbackFit` against I_mem; ``pair``: the membrane pair's map
    (:class:`MembranePair`); ``feedback_pair``: the feedback against the pair ratio J and the sigmoid
    fitted there (:func:`fit_feedback_on_pair`), what the model uses.
    """

    I_tau: float
    I_g: float
    I_ref: float
    I_px: float
    I_ahw: float
    I_ahg: float
    I_ahtau: float
    I_ahp_leak: float
    V_sw: float
    t_ref: float
    t_ahp: float
    t_ahp_formula: float
    t_ref_transient: float
    tau_mem: float
    tau_ahp: float
    ahp_jump: float
    feedback: FeedbackFit
    netlist_params: dict[str, float]
    pair: MembranePair | None = None
    feedback_pair: FeedbackFit | None = None


#: The transient on which :func:`measure_pulse_widths` reads the DPI neuron's pulses: an input that
#: fires it within a few ms (A), and the transient's length and largest step (s).
PULSE_PROBE = {"iin": 2e-9, "tstop": 10e-3, "tmax": 2e-6}


def measure_pulse_widths(
    netlist_params: Mapping[str, float] | None = None, v_sw: float | None = None, cache: bool = True
) -> tuple[float, float]:
    """The DPI neuron's AHP pulse and refractory period as the netlist makes them, read from a transient, in s.

    Runs ``neuron_dpi_tb-fi.cir`` for :data:`PULSE_PROBE` and returns the width of the first
    complete interval where v(vpx) (the AHP pulse extender) and v(vref) (the refractory capacitor)
    are above ``v_sw``: the time the AHP DPI's input switch and the membrane reset are on. The
    formulas C (Vdd - V_sw) / I assume the node's capacitor alone, charged to Vdd; on the
    transient the extender node also carries its inverter's gates and junctions, and C_ref charges
    only while the spike lasts (the reset it turns on ends the spike).

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the testbench's ``.param`` values, SI units (``iin``, ``tstop``, ``tmax``
        are set by :data:`PULSE_PROBE`).
    v_sw : float, optional
        Switching voltage of the inverters, V (default Vdd / 2).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    tuple of float
        (t_ahp, t_ref), s.

    Raises
    ------
    ParameterError
        When the neuron does not fire a complete pulse within the transient.

    Examples
    --------
    >>> t_ahp, t_ref = measure_pulse_widths()  # doctest: +SKIP
    >>> round(t_ahp * 1e6), round(t_ref * 1e3, 2)  # us, ms  # doctest: +SKIP
    (135, 0.83)
    """
    params = {**dict(netlist_params or {}), **PULSE_PROBE}
    run = ngspice.run(NEURON_DPI_TB, params, cache=cache)
    vdd = float({**ngspice.netlist_params(NEURON_DPI_TB), **{k.lower(): v for k, v in params.items()}}["vdd"])
    level = vdd / 2 if v_sw is None else float(v_sw)
    return (
        _first_width_above(run["time"], run["v(vpx)"], level, "v(vpx)"),
        _first_width_above(run["time"], run["v(vref)"], level, "v(vref)"),
    )


def _first_width_above(t: np.ndarray, v: np.ndarray, level: float, name: str) -> float:
    """Width (s) of the first complete interval where ``v`` is above ``level`` (edges interpolated)."""
    above = v > level
    rise = np.flatnonzero(~above[:-1] & above[1:])
    fall = np.flatnonzero(above[:-1] & ~above[1:])
    if rise.size == 0 or fall[fall > rise[0]].size == 0:
        raise ParameterError(
            f"{name} never makes a complete pulse above {level:.3f} V on the probe transient {PULSE_PROBE}"
        )

    def crossing(i: int) -> float:
        return float(t[i] + (level - v[i]) * (t[i + 1] - t[i]) / (v[i + 1] - v[i]))

    return crossing(int(fall[fall > rise[0]][0])) - crossing(int(rise[0]))


def measure_neuron_dpi_biases(
    netlist_params: Mapping[str, float] | None = None, transistor: TransistorFit | None = None, cache: bool = True
) -> NeuronDPIBiases:
    """Run ``neuron_dpi_tb-dc.cir`` and ``spike_amplifier_tb-dc.cir``: bias currents, V_sw, feedback, and what follows.

    Two ngspice DC sweeps (tens of milliseconds each) and a 10 ms transient of the neuron that reads the
    AHP pulse and the refractory period as the netlist makes them (:func:`measure_pulse_widths`).

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of ``neuron_dpi_tb-fi.cir``'s ``.param`` values (``itau``, ``ig``, ``irfr``,
        ``iahw`` ... in A, ``tpulse_ahp`` in s, ``cmem``, ``cref``, ``cahp``, ``cpx`` in F,
        ``wfb``, ``lfb`` in m), SI units; ``iin``, ``tstop`` and ``tmax`` are ignored here.
    transistor : TransistorFit, optional
        The model card's parameters (default: :func:`extract_transistor`).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    NeuronDPIBiases
        Currents in A, V_sw in V, times in s.

    Examples
    --------
    >>> b = measure_neuron_dpi_biases()  # doctest: +SKIP
    >>> round(b.t_ref * 1e3, 2), round(b.t_ahp * 1e6), round(b.feedback.i_max * 1e9, 2)  # ms, us, nA  # doctest: +SKIP
    (2.53, 135, 36.94)
    """
    tr = transistor or extract_transistor(cache=cache)
    ignored = ("tstop", "tmax", "iin")
    params = {k: v for k, v in (netlist_params or {}).items() if k.lower() not in ignored}
    values = {
        **ngspice.netlist_params(NEURON_DPI_TB),
        **{k.lower(): float(v) for k, v in (netlist_params or {}).items()},
    }
    dc = ngspice.run(NEURON_DPI_DC_TB, params, cache=cache)
    cur = {name: abs(float(dc[name][0])) for name in dc.names if name.startswith("i(")}
    v_in, v_out = dc["v(inv_in)"], dc["v(inv_out)"]
    vdd = values["vdd"]
    v_sw = float(np.interp(vdd / 2, v_out[::-1], v_in[::-1]))
    I_ref, I_px = cur["i(vrrf)"], cur["i(vrpx)"]
    t_ref = values["cref"] * (vdd - v_sw) / I_ref
    t_ahp_formula = values["cpx"] * (vdd - v_sw) / I_px
    t_ahp, t_ref_transient = measure_pulse_widths(params, v_sw, cache=cache)
    I_tau, I_ahtau = cur["i(vrtau)"], cur["i(vrat)"]
    I_ahp_leak = measure_ahp_leak(params, cache=cache)
    tau_mem = float(dpi_tau(values["cmem"], I_tau, tr.Ut, tr.kappa_n))
    tau_ahp = float(dpi_tau(values["cahp"], I_ahp_leak, tr.Ut, tr.kappa_n))
    I_ahw, I_ahg = cur["i(vrag)"], cur["i(vrah)"]
    feedback = measure_feedback({k: values[k] for k in ("wfb", "lfb", "vdd")}, cache=cache)
    pair = measure_membrane_pair(ut=tr.Ut, cache=cache)
    try:
        ahp_jump = dpi_charge(t_ahp, tr.I0_n, I_ahw, I_ahg, I_ahp_leak, tau_ahp) - tr.I0_n
    except ParameterError:  # AHP weight too small to charge its DPI: adaptation off
        ahp_jump = 0.0
    return NeuronDPIBiases(
        I_tau=I_tau,
        I_g=cur["i(vrg)"],
        I_ref=I_ref,
        I_px=I_px,
        I_ahw=I_ahw,
        I_ahg=I_ahg,
        I_ahtau=I_ahtau,
        I_ahp_leak=I_ahp_leak,
        V_sw=v_sw,
        t_ref=float(t_ref),
        t_ahp=float(t_ahp),
        t_ahp_formula=float(t_ahp_formula),
        t_ref_transient=float(t_ref_transient),
        tau_mem=tau_mem,
        tau_ahp=tau_ahp,
        ahp_jump=float(ahp_jump),
        feedback=feedback,
        netlist_params=values,
        pair=pair,
        feedback_pair=fit_feedback_on_pair(feedback, pair, I_tau),
    )


AHP_LEAK_TB = "neuron_dpi_tb-ahp.cir"


def measure_ahp_leak(netlist_params: Mapping[str, float] | None = None, dv: float = 0.0, cache: bool = True) -> float:
    """The net current that discharges the DPI neuron's AHP capacitor between spikes, at Vahp = V_ahthr + ``dv``, in A.

    One ngspice operating point of ``circuits/neuron_dpi_tb-ahp.cir``: the neuron held at rest,
    the AHP capacitor's node held by a source. Between spikes the AHP DPI's input switch (MG1, a
    pFET with its gate at Vdd) still conducts its off-current, about I0_p = 0.3 pA, and the AHP
    pair hands part of it to the capacitor, against a leak of about 1 pA: the net leak is 8 % below
    the replica's ``I_ahtau`` at the defaults and 14 % below with the adaptation comparison's
    0.5 nA AHP weight (whose bias node sets the switch's source). The default holds Vahp at the AHP
    gain bias, where the AHP output carries ``I_ahg`` and the pair splits in half, as
    :func:`measure_dpi_leak` does for the synapse. This is the leak the DPI equation's time
    constant needs; with it the model's adapted interval at 200 pA is within 3 % of the circuit's,
    with the replica's 13 % short (``circuits/README.md``).

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the neuron's ``.param`` values (``iahw``, ``iahg``, ``iahtau``, ``cahp`` ...);
        those the testbench does not have (``iin``, ``tstop`` ...) are ignored.
    dv : float
        Vahp above V_ahthr, V.
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    float
        The net current out of the AHP capacitor's node, A.

    Examples
    --------
    >>> round(measure_ahp_leak() * 1e12, 3), round(measure_ahp_leak({"iahw": 5e-10}) * 1e12, 3)  # pA  # doctest: +SKIP
    (1.13, 1.059)
    """
    params = params_for(AHP_LEAK_TB, netlist_params, set_here=("iin",))
    op = ngspice.run(AHP_LEAK_TB, {**params, "dvahp": float(dv)}, analysis="op", cache=cache)
    return float(op["i(vhold)"][0])


MEMBRANE_PAIR_TB = "neuron_dpi_tb-pair.cir"
#: The input current (A) with which :func:`measure_membrane_pair` sweeps the membrane pair: the adaptation
#: comparison's input (the pair's source voltage, hence its body effect, moves a little with it).
PAIR_INPUT = 200e-12


def fit_split_exponent(i_mem: ArrayLike, j: ArrayLike, i_g: float, lo: float, hi: float) -> tuple[float, float]:
    """Fit J = I_g (I_mem / I_g)^beta on lo <= I_mem <= hi: (beta, rms of the residual in ln J).

    J = I_g I_ML2 / I_ML1 is the pair's current ratio (:class:`MembranePair`); for the ideal pair
    J = I_mem and beta = 1. The fit goes through J = I_g at I_mem = I_g (the pair's even split).

    Examples
    --------
    >>> i = np.logspace(-12, -7, 50)
    >>> beta, rms = fit_split_exponent(i, 1e-9 * (i / 1e-9) ** 1.1, 1e-9, 1e-12, 1e-7)
    >>> round(beta, 6), rms < 1e-9
    (1.1, True)
    """
    i_mem, j = np.asarray(i_mem, float), np.asarray(j, float)
    sel = (i_mem >= lo) & (i_mem <= hi) & (j > 0)
    if sel.sum() < 5:
        raise ParameterError(f"fewer than 5 points with {lo:g} A <= I_mem <= {hi:g} A")
    x, y = np.log(i_mem[sel] / i_g), np.log(j[sel] / i_g)
    slope = float(np.sum(x * y) / np.sum(x * x))
    return slope, float(np.sqrt(np.mean((slope * x - y) ** 2)))


@dataclass(frozen=True)
class MembranePair:
    """The DPI neuron's membrane pair (ML1, ML2) measured: its current ratio J against the membrane voltage.

    ``v_mem`` (V), ``i_mem`` (A, the nFET copy at v_mem), ``j`` (A): J = I_g I_ML2 / I_ML1, so that
    ML1 passes the share I_g / (I_g + J) of the input onto C_mem *exactly*, whatever the body
    effect; ``i_in``, ``i_g`` (A): the sweep's input and the gain replica's current;
    ``kappa_pair``: U_T d ln J / dV_mem (the pFET pair's slope factor with its source below its
    well); ``beta``, ``rms_log_error``: J = I_g (I_mem/I_g)^beta fitted where the readout is in weak
    inversion (10 pA - 10 nA), printed, not used.

    Why J is the model's I_mem: with C dV/dt = I_in I_g / (I_g + J) - I_sum and
    dJ/dt = (kappa_pair / U_T) J dV/dt, J obeys the core's DPI equation exactly, with
    tau = C U_T / (kappa_pair I_tau); the leak, the AHP and the feedback are currents that enter
    I_sum, functions of J through the measured map; the threshold is J at the amplifier's switch.
    The readout's moderate inversion above ~10 nA (I_mem grows slower than exp(kappa_n V / U_T))
    is inside the map, not in the equation.
    """

    v_mem: np.ndarray
    i_mem: np.ndarray
    j: np.ndarray
    i_in: float
    i_g: float
    kappa_pair: float
    beta: float
    rms_log_error: float

    def j_of(self, i_mem: ArrayLike) -> np.ndarray:
        """J (A) at the membrane currents ``i_mem`` (A), log-log interpolated (clamped at the sweep's ends)."""
        return np.exp(np.interp(np.log(np.asarray(i_mem, float)), np.log(self.i_mem), np.log(self.j)))

    def i_mem_of(self, j: ArrayLike) -> np.ndarray:
        """The membrane current (A) at the pair ratios ``j`` (A), log-log interpolated (clamped at the sweep's ends)."""
        return np.exp(np.interp(np.log(np.asarray(j, float)), np.log(self.j), np.log(self.i_mem)))


def measure_membrane_pair(i_in: float = PAIR_INPUT, ut: float | None = None, cache: bool = True) -> MembranePair:
    """Sweep the DPI neuron's membrane pair (``neuron_dpi_tb-pair.cir``): J and I_mem against V_mem.

    One ngspice DC sweep of the membrane voltage with ``i_in`` into the pair (milliseconds).

    Parameters
    ----------
    i_in : float
        Input current into the pair, A.
    ut : float, optional
        Thermal voltage for ``kappa_pair``, V (default: :func:`extract_transistor`'s).
    cache : bool
        Use the on-disk result cache.

    Returns
    -------
    MembranePair
        The map, I_g (A), kappa_pair and the printed beta.

    Examples
    --------
    >>> pair = measure_membrane_pair()  # doctest: +SKIP
    >>> round(pair.kappa_pair, 2), round(pair.beta, 2)  # doctest: +SKIP
    (0.75, 1.06)
    """
    ut = extract_transistor(cache=cache).Ut if ut is None else float(ut)
    run = ngspice.run(MEMBRANE_PAIR_TB, {"iin": float(i_in)}, cache=cache)
    v, i_mem = run["sweep"], np.abs(run["i(vimem)"])
    share = np.abs(run["i(vml1)"]) / float(i_in)
    i_g = abs(float(run["i(vrg)"][0]))
    ok = (share > 1e-6) & (share < 1 - 1e-6)  # where both arms carry a measurable current
    v, i_mem, j = v[ok], i_mem[ok], i_g * (1.0 / share[ok] - 1.0)
    mid = (j > 1e-11) & (j < 1e-7)
    kappa_pair = float(np.polyfit(v[mid], np.log(j[mid]), 1)[0] * ut)
    beta, rms = fit_split_exponent(i_mem, j, i_g, 1e-11, 1e-8)
    return MembranePair(v, i_mem, j, float(i_in), i_g, kappa_pair, beta, rms)


def fit_feedback_on_pair(feedback: FeedbackFit, pair: MembranePair, i_leak: float) -> FeedbackFit:
    """The spike amplifier's feedback as a function of the pair ratio J, and the sigmoid fitted to it there.

    The fitted range runs from where the feedback equals the membrane leak ``i_leak`` (below, the
    leak dominates it) up to J at the inverter's switch (the spike, the model's threshold); the
    fit is :func:`fit_feedback` on ln I_fb. Both ends are measured, neither is chosen.

    Parameters
    ----------
    feedback : FeedbackFit
        The DC sweep (:func:`measure_feedback`), with ``i_switch``.
    pair : MembranePair
        :func:`measure_membrane_pair`.
    i_leak : float
        The membrane leak I_tau, A.

    Returns
    -------
    FeedbackFit
        ``i_mem`` holds J (A); ``i_max`` = J at the switch; ``i_switch`` the switch's I_mem (A).
    """
    j = pair.j_of(feedback.i_mem)
    j_th = float(pair.j_of(feedback.i_switch))
    rising = feedback.i_mem <= feedback.i_switch
    j_lo = float(np.interp(i_leak, feedback.i_fb[rising], j[rising]))
    fit = fit_feedback(j, feedback.i_fb, j_th, float(np.log10(j_th / j_lo)))
    return FeedbackFit(j, feedback.i_fb, j_th, fit.gain, fit.threshold, fit.norm, fit.rms_log_error,
                       feedback.i_switch)


def neuron_dpi_params(biases: NeuronDPIBiases, transistor: TransistorFit, base: ParamsLike = None) -> Params:
    """Behavioural soma parameters of the DPI neuron (``neuron_dpi.cir``) from its measured biases.

    The model's membrane current stands for the pair ratio J of :class:`MembranePair` (measured;
    J obeys the core's DPI equation exactly): ``C_mem`` gives tau = C_mem U_T / (kappa_pair I_tau);
    ``I_th`` = J at the spike amplifier's switch (the circuit's spike); ``I_pfb_gain``,
    ``I_pfb_th``, ``I_pfb_norm`` = the sigmoid fitted to the feedback against J
    (:func:`fit_feedback_on_pair`); ``t_ref`` = the refractory period read on the transient (with
    the handshake it is the formula's C_ref (Vdd - V_sw)/I_ref within 3 %); the AHP DPI is fed for
    one AHP pulse of width ``t_ahp`` per spike (``t_pulse_ahp``). To compare the model's I_mem with
    the circuit's, map it back with ``biases.pair.i_mem_of``.

    Parameters
    ----------
    biases : NeuronDPIBiases
        From :func:`measure_neuron_dpi_biases`.
    transistor : TransistorFit
        From :func:`extract_transistor`.
    base : Params, dict or None
        The other parameters (default: the defaults).

    Returns
    -------
    Params
        SI units.

    Examples
    --------
    >>> tr = extract_transistor()  # doctest: +SKIP
    >>> p = neuron_dpi_params(measure_neuron_dpi_biases(transistor=tr), tr)  # doctest: +SKIP
    >>> round(float(measure_neuron_dpi_biases().pair.i_mem_of(p.I_th)) * 1e9)  # nA: the switch  # doctest: +SKIP
    739
    """
    fb = biases.feedback_pair
    if fb is None or biases.pair is None:
        raise ParameterError("the DPI neuron's biases carry no membrane-pair map: use measure_neuron_dpi_biases()")
    p = _soma_params(
        biases, transistor, base, biases.t_ahp, biases.I_ahp_leak,
        I_th=fb.i_max, I_pfb_gain=fb.gain, I_pfb_th=fb.threshold, I_pfb_norm=fb.norm,
    )
    gain, exponent = fit_power_law_on_pair(biases.feedback, biases.pair, biases.I_tau)
    return p.replace(
        C_mem=effective_capacitance(biases.netlist_params["cmem"], biases.pair.kappa_pair, p),
        t_ref=biases.t_ref_transient,
        I_pfb_gain=gain, I_pfb_th=fb.i_max, n_pfb=exponent,  # the power law (n_pfb > 0) replaces the sigmoid
    )


def fit_power_law_on_pair(feedback: FeedbackFit, pair: MembranePair, i_leak: float) -> tuple[float, float]:
    """I_fb = gain (J / J_switch)^n fitted on ln I_fb over the range of :func:`fit_feedback_on_pair`: (gain in A, n).

    Examples
    --------
    >>> i = np.logspace(-12, -6, 200)
    >>> pair = MembranePair(i, i, i, 2e-10, 1e-9, 0.75, 1.0, 0.0)  # J = I_mem
    >>> fb = FeedbackFit(i, 1e-3 * i**0.9 * 1e-6**0.1, 1e-6, 0.0, 0.0, 0.0, 0.0, 1e-6)
    >>> gain, n = fit_power_law_on_pair(fb, pair, 1e-12)
    >>> round(gain * 1e9, 6), round(n, 6)  # nA: k I_switch
    (1.0, 0.9)
    """
    j = pair.j_of(feedback.i_mem)
    j_th = float(pair.j_of(feedback.i_switch))
    rising = feedback.i_mem <= feedback.i_switch
    j_lo = float(np.interp(i_leak, feedback.i_fb[rising], j[rising]))
    sel = (j >= j_lo) & (j <= j_th) & (feedback.i_fb > 0)
    n, c = np.polyfit(np.log(j[sel] / j_th), np.log(feedback.i_fb[sel]), 1)
    return float(np.exp(c)), float(n)


__all__ = [
    "COMPARATOR_FIT_DECADES",
    "measure_comparator_feedback",
    "GainExponentFit",
    "GAIN_SWEEP",
    "measure_gain_exponent",
    "OutputExponent",
    "PairExponent",
    "measure_pair_exponent",
    "PairSplit",
    "measure_pair_split",
    "AHP_LEAK_TB",
    "measure_ahp_leak",
    "SPLIT_SPAN",
    "DPI_LEAK_TB",
    "params_for",
    "measure_dpi_leak",
    "OutputReadout",
    "measure_output_readout",
    "TransistorFit",
    "extract_transistor",
    "weak_inversion_fit",
    "exponential_decades",
    "fit_ut",
    "DPIBiases",
    "measure_dpi_biases",
    "effective_capacitance",
    "dpi_params",
    "NeuronBiases",
    "measure_neuron_biases",
    "neuron_params",
    "NEURON_DPI_TB",
    "FEEDBACK_THRESHOLD_FRACTION",
    "FEEDBACK_FIT_DECADES",
    "feedback_sigmoid",
    "FeedbackFit",
    "fit_feedback",
    "measure_feedback",
    "NeuronDPIBiases",
    "measure_neuron_dpi_biases",
    "neuron_dpi_params",
    "PULSE_PROBE",
    "measure_pulse_widths",
    "MEMBRANE_PAIR_TB",
    "PAIR_INPUT",
    "MembranePair",
    "fit_split_exponent",
    "measure_membrane_pair",
    "fit_feedback_on_pair",
    "fit_power_law_on_pair",
]
