"""The equations: the DPI synapse, the adaptive exponential DPI neuron, and their state.

The bottom layer of dynapse_edu (Chicca et al. 2014, Proc. IEEE 102(9)). Every
equation of the model is written here once, as a plain numpy function of
currents in A and times in s, and nothing else: no integrator, no chip, no
plotting. Only numpy and scipy are imported.

* :mod:`~dynapse_edu.core.synapse`: the DPI synapse (its equation, exact decay, spike jump, charging under an
  input pulse, closed forms), the four types;
* :mod:`~dynapse_edu.core.neuron`: the soma (membrane DPI, positive feedback, NMDA gate, floor, reset);
* :mod:`~dynapse_edu.core.params`: :class:`~dynapse_edu.core.params.Params`, the model's parameters;
* :mod:`~dynapse_edu.core.dynamics`: the state of N neurons, its right-hand side and its events;
* :mod:`~dynapse_edu.core.network`: what an integrator simulates;
* :mod:`~dynapse_edu.core.result`: what it returns.

The layers above: :mod:`dynapse_edu.engines` (integrators) <
:mod:`dynapse_edu.hardware` (the chip) < :mod:`dynapse_edu.spice` (transistors) and
:mod:`dynapse_edu.course` (widgets, assignments). A layer imports only the layers
below it (``[tool.importlinter]`` in ``pyproject.toml``, checked by ``make test``).
"""
