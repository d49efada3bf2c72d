r"""Circuit schematics of the course, drawn by the project with schemdraw.

:func:`dpi_synapse` draws a differential pair integrator (DPI) synapse,
:func:`dpi_neuron` the blocks of the adaptive exponential DPI neuron. They are
drawn from the circuit equations the simulator integrates (Bartolozzi &
Indiveri 2007, Neural Comput. 19(10); Chicca et al. 2014, Proc. IEEE 102(9)),
not copied from the papers' figures; transistor names say each device's role.

Why the DPI obeys its equation
------------------------------
In the DPI drawn here every transistor is in weak inversion, where its
current is exponential in its gate voltage. The input pulse lets the tail
transistor :math:`M_w` sink :math:`I_w`; the differential pair
:math:`M_{thr}`/:math:`M_{in}` splits it in the ratio of the exponentials of
their gate voltages, :math:`V_{thr}` and :math:`V_{syn}`, so the branch that
discharges the capacitor carries :math:`I_w I_g / (I_g + I_{syn})`, with the
gain current :math:`I_g = I_0 e^{\kappa (V_{dd} - V_{thr})/U_T}` and the output
:math:`I_{syn} = I_0 e^{\kappa (V_{dd} - V_{syn})/U_T}`. The leak transistor
:math:`M_\tau` recharges the capacitor with :math:`I_\tau`. Then
:math:`C\,\dot V_{syn} = I_\tau - I_w I_g/(I_g + I_{syn})` and, with
:math:`\dot I_{syn} = -(\kappa/U_T) I_{syn} \dot V_{syn}` and
:math:`\tau = C U_T / (\kappa I_\tau)`,

.. math:: \tau \left(1 + \frac{I_g}{I_{syn}}\right) \dot I_{syn} = \frac{I_g I_w}{I_\tau} - I_{syn} - I_g,

the DPI equation of :mod:`dynapse_edu.core.synapse`.

Both functions return a :class:`schemdraw.Drawing`; in a notebook it shows
itself as SVG, and ``drawing.save("dpi.svg")`` writes a file.
"""

from __future__ import annotations

import schemdraw
import schemdraw.elements as elm
from schemdraw import flow

#: Labels of the bias voltages and nodes in :func:`dpi_synapse`.
DPI_SYNAPSE_LABELS: tuple[str, ...] = (
    "$V_{thr}$", "$V_w$", "$V_{\\tau}$", "$V_{syn}$", "$C_{syn}$", "$I_{syn}$", "spike",
)

#: Block names in :func:`dpi_neuron`.
DPI_NEURON_BLOCKS: tuple[str, ...] = (
    "input DPI synapses", "membrane DPI", "positive feedback", "spike and reset", "adaptation DPI", "refractory",
)


def _drawing(unit: float, fontsize: float) -> schemdraw.Drawing:
    drawing = schemdraw.Drawing(show=False, canvas="svg")  # text stays text; no matplotlib figure
    drawing.config(unit=unit, fontsize=fontsize)
    return drawing


def dpi_synapse(unit: float = 2.0, fontsize: float = 12) -> schemdraw.Drawing:
    """The DPI synapse at transistor level: input pulse, differential pair, capacitor, leak, output.

    Parameters
    ----------
    unit:
        Length of a two-terminal element in drawing units (schemdraw's ``unit``).
    fontsize:
        Label font size in points.

    Returns
    -------
    schemdraw.Drawing
        Not yet rendered; display it in a notebook or call ``.save(path)``.

    >>> d = dpi_synapse()
    >>> "<svg" in d.get_imagedata("svg").decode()[:200]
    True
    """
    d = _drawing(unit, fontsize)
    top = 6.0
    # differential pair: M_thr (gate V_thr, drain to Vdd) and M_in (gate tied to V_syn)
    nfet, pfet = (lambda: elm.NFet(bulk=False).theta(0)), (lambda: elm.PFet(bulk=False).theta(0))  # noqa: E731
    m_thr = d.add(nfet().reverse().at((0.0, 3.0)).anchor("drain").label("$M_{thr}$", loc="right"))
    d.add(elm.Line().at(m_thr.drain).toy(top))
    d.add(elm.Line().at(m_thr.gate).left(0.6).label("$V_{thr}$", loc="left"))
    m_in = d.add(nfet().at((3.0, 3.0)).anchor("drain").label("$M_{in}$", loc="left"))
    v1 = (1.5, m_thr.source[1] - 0.5)
    d.add(elm.Line().at(m_thr.source).toy(v1[1]))
    d.add(elm.Line().at(m_in.source).toy(v1[1]))
    d.add(elm.Line().at((m_thr.source[0], v1[1])).tox(m_in.source[0]))
    d.add(elm.Dot().at(v1))
    # tail: the input pulse switch M_pre in series with the weight transistor M_w
    m_pre = d.add(nfet().reverse().at(v1).anchor("drain").label("$M_{pre}$", loc="right"))
    d.add(elm.Line().at(m_pre.gate).left(0.6).label("spike", loc="left"))
    m_w = d.add(nfet().reverse().at(m_pre.source).anchor("drain").label("$M_w$", loc="right"))
    d.add(elm.Line().at(m_w.gate).left(0.6).label("$V_w$", loc="left"))
    d.add(elm.Ground().at(m_w.source))
    # the capacitor node V_syn: M_in's drain and its gate
    v_syn = (m_in.drain[0], m_in.drain[1] + 0.5)
    d.add(elm.Line().at(m_in.drain).toy(v_syn[1]))
    d.add(elm.Dot().at(v_syn).label("$V_{syn}$", loc="left", ofst=(-0.1, 0.1)))
    d.add(elm.Line().at(m_in.gate).right(0.5))
    d.add(elm.Line().toy(v_syn[1]))
    d.add(elm.Line().tox(v_syn[0]))
    # capacitor from V_syn to Vdd
    d.add(elm.Capacitor().at(v_syn).toy(top).label("$C_{syn}$", loc="bottom"))
    # leak M_tau (pFET: source Vdd, drain V_syn) and output M_syn (pFET, gate V_syn)
    m_tau = d.add(pfet().reverse().at((6.0, top)).anchor("source").label("$M_{\\tau}$", loc="right"))
    d.add(elm.Line().at(m_tau.gate).left(0.4).label("$V_{\\tau}$", loc="left"))
    d.add(elm.Line().at(m_tau.drain).toy(v_syn[1]))
    d.add(elm.Line().tox(v_syn[0]))
    d.add(elm.Dot().at((m_tau.drain[0], v_syn[1])))
    m_syn = d.add(pfet().reverse().at((9.0, top)).anchor("source").label("$M_{syn}$", loc="right"))
    d.add(elm.Line().at(m_syn.gate).left(0.4))
    d.add(elm.Line().toy(v_syn[1]))
    d.add(elm.Line().tox(m_tau.drain[0]))
    d.add(elm.Line().at(m_syn.drain).down(1.0).label("$I_{syn}$ to the soma", loc="bottom"))
    d.add(elm.Arrow().at((m_syn.drain[0], m_syn.drain[1] - 0.2)).down(0.6))
    # the supply rail
    d.add(elm.Line().at((m_thr.drain[0], top)).tox(m_syn.source[0]))
    d.add(elm.Vdd().at((m_thr.drain[0], top)).label("$V_{dd}$"))
    return d


def dpi_neuron(unit: float = 2.0, fontsize: float = 11) -> schemdraw.Drawing:
    """Block diagram of the adaptive exponential DPI neuron (Livi & Indiveri 2009; Chicca et al. 2014).

    The synapses' currents enter the membrane DPI, whose output current
    :math:`I_{mem}` drives the positive feedback (back into the membrane),
    the spike comparator and, through each spike, the adaptation DPI (which
    subtracts from the membrane's input) and the reset / refractory circuit.

    >>> "<svg" in dpi_neuron().get_imagedata("svg").decode()[:200]
    True
    """
    d = _drawing(unit, fontsize)
    inputs = "input DPI synapses\nAMPA, NMDA,\nGABA_A, GABA_B"
    syn = d.add(flow.Box(w=4.4, h=1.4).at((-1.2, 0)).anchor("W").label(inputs))
    mem = d.add(flow.Box(w=3.0, h=1.2).at((5.0, 0)).anchor("W").label("membrane DPI\n$I_{mem}$"))
    d.add(elm.Arrow().at(syn.E).to(mem.W).label("$I_{in}$\n$I_{shunt}$", loc="top"))
    spk = d.add(flow.Box(w=2.8, h=1.2).at((10.0, 0)).anchor("W").label("spike and reset\nat $I_{mem} = I_{th}$"))
    d.add(elm.Arrow().at(mem.E).to(spk.W))
    pfb = d.add(flow.Box(w=3.0, h=1.0).at((5.0, 2.6)).anchor("W").label("positive feedback\n$I_{pfb}(I_{mem})$"))
    d.add(elm.Arrow().at((mem.N[0] + 0.8, mem.N[1])).toy(pfb.S[1]))
    d.add(elm.Arrow().at((pfb.S[0] - 0.8, pfb.S[1])).toy(mem.N[1]))
    ahp = d.add(flow.Box(w=3.0, h=1.0).at((5.0, -2.6)).anchor("W").label("adaptation DPI\n$I_{ahp}$"))
    d.add(elm.Line().at(spk.S).toy(ahp.E[1]))
    d.add(elm.Arrow().tox(ahp.E[0]).label("each spike", loc="bottom"))
    d.add(elm.Arrow().at(ahp.N).toy(mem.S[1]))
    ref = d.add(flow.Box(w=2.8, h=1.0).at((10.0, 2.6)).anchor("W").label("refractory\n$t_{ref}$"))
    d.add(elm.Arrow().at(spk.N).toy(ref.S[1]))
    d.add(elm.Line().at(ref.N).toy(ref.N[1] + 0.8))
    d.add(elm.Line().tox(mem.W[0] - 0.6).label("holds $I_{mem} = I_{reset}$", loc="top"))
    d.add(elm.Line().toy(mem.N[1] + 0.3))
    d.add(elm.Arrow().tox(mem.W[0] + 0.4))
    d.add(elm.Arrow().at(spk.E).right(2.4).label("spike (AER)", loc="top", ofst=(0.4, 0)))
    return d


__all__ = ["dpi_synapse", "dpi_neuron", "DPI_SYNAPSE_LABELS", "DPI_NEURON_BLOCKS"]
