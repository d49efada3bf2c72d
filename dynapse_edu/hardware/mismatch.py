"""Device mismatch: every circuit's bias currents differ a little from the nominal value.

On silicon no two transistors are equal (Pelgrom et al. 1989, IEEE JSSC
24(5)); in subthreshold a threshold-voltage spread becomes a *multiplicative*
spread of currents, so two neurons given the same bias carry different
currents. dynapse_edu models this as one factor per neuron and per bias: the
neuron's circuits (membrane, adaptation, its four synapse DPIs, refractory
circuit) see their bias current multiplied by it. The factors are drawn once
from a seed, frozen per neuron: the same seed gives the same chip, whatever
neurons are allocated and in whatever order.

The factor multiplies the part of the current the bias generator adds; the
leakage I0 stays (the leakage floor is a model constant):
``I = I0 + factor * (I_effective - I0)``. Currents set below I0 through the
current-based API are scaled as a whole.

Distributions
-------------
``"lognormal"`` (default): factor = exp(sigma z + mu) with mean 1 and
relative standard deviation ``spread`` (sigma^2 = log(1 + spread^2),
mu = -sigma^2 / 2); always positive. ``"gaussian"``: factor = 1 + spread z
with z truncated to [-3, 3], so ``spread`` must stay below 1/3.

The default spread, 10 %, is a teaching convention of dynapse_edu, of the
order reported for subthreshold analog neuromorphic circuits; it is *not* a
measured figure of Dynap-SE1.

>>> from dynapse_edu.hardware.mismatch import Mismatch
>>> m = Mismatch(spread=0.1, seed=1)
>>> f = m.factors([0, 1, 2])
>>> f.shape, bool((f > 0).all())
((3, 25), True)
>>> bool((m.factors([2]) == f[2]).all())  # frozen per neuron
True
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from .biasgen import BIAS_NAMES
from .routing import CHIPS_PER_BOARD, NEURONS_PER_CHIP

DISTRIBUTIONS = ("lognormal", "gaussian")
_COLUMN = {name: k for k, name in enumerate(BIAS_NAMES)}  # a bias's column in the factor table
DEFAULT_SPREAD = 0.1
_TRUNCATE = 3.0


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """Seeded, frozen per-neuron, per-bias mismatch factors.

    Give it to a :class:`~dynapse_edu.hardware.board.Board` or
    :class:`~dynapse_edu.hardware.chip.Chip` (``mismatch=``): each neuron then sees
    its core's bias currents multiplied by its own factors (:func:`apply_factors`).

    Parameters
    ----------
    spread : float
        Relative standard deviation of the factors, in [0, 1] (gaussian: [0, 1/3)).
    distribution : str
        ``"lognormal"`` (default) or ``"gaussian"``.
    seed : int
        Integer >= 0; the same seed gives the same factors for every neuron.

    Raises
    ------
    ParameterError
        For an unknown distribution, a spread out of range or a bad seed.

    Examples
    --------
    >>> m = Mismatch(spread=0.2, seed=4)
    >>> m.as_dict()
    {'spread': 0.2, 'distribution': 'lognormal', 'seed': 4}
    """

    spread: float = DEFAULT_SPREAD
    distribution: str = "lognormal"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.distribution not in DISTRIBUTIONS:
            raise ParameterError(f"mismatch distribution {self.distribution!r} unknown; allowed: {DISTRIBUTIONS}")
        hi = 1.0 if self.distribution == "lognormal" else 1 / _TRUNCATE
        spread = self.spread
        if isinstance(spread, bool) or not isinstance(spread, (int, float)) or not (
            math.isfinite(spread) and 0 <= spread <= hi and (spread < hi or self.distribution == "lognormal")
        ):
            bracket = "]" if self.distribution == "lognormal" else ")"
            raise ParameterError(
                f"mismatch spread = {spread!r} is outside the allowed range [0, {hi:.4g}{bracket} "
                f"for {self.distribution}"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ParameterError(f"mismatch seed = {self.seed!r} must be an integer >= 0")
        object.__setattr__(self, "spread", float(spread))
        object.__setattr__(self, "seed", int(self.seed))

    def _table(self) -> np.ndarray:
        # one row per possible neuron of a full board, one column per bias: frozen by the seed
        z = np.random.default_rng(self.seed).standard_normal((CHIPS_PER_BOARD * NEURONS_PER_CHIP, len(BIAS_NAMES)))
        if self.distribution == "lognormal":
            sigma2 = math.log1p(self.spread**2)
            return np.exp(math.sqrt(sigma2) * z - sigma2 / 2)
        return 1.0 + self.spread * np.clip(z, -_TRUNCATE, _TRUNCATE)

    def factors(self, neuron_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The mismatch factors of some neurons, frozen per neuron by the seed.

        Parameters
        ----------
        neuron_ids : Sequence of int
            Global ids, 0..4095 (a full board).

        Returns
        -------
        ndarray
            Shape (n, 25): one row per neuron, one column per bias in
            :data:`~dynapse_edu.hardware.biasgen.BIAS_NAMES` order; no unit.

        Examples
        --------
        >>> f = Mismatch(spread=0.1, seed=0).factors([7, 4095])
        >>> f.shape, bool((f > 0).all())
        ((2, 25), True)
        """
        return self._table()[np.asarray(neuron_ids, dtype=np.int64)]

    def as_dict(self) -> dict[str, object]:
        """The settings as a plain dict (for configuration files); ``Mismatch(**d)`` rebuilds it."""
        return dataclasses.asdict(self)


def apply_factors(currents: Mapping[str, float], factors: np.ndarray, I0: float) -> dict[str, float]:
    """Effective bias currents of one neuron, given its mismatch factors.

    ``I = I0 + factor * (I - I0)`` for currents at or above I0, ``factor * I``
    below; infinite currents (t_ref = 0) stay infinite.

    Parameters
    ----------
    currents : Mapping of str to float
        Bias name to the core's effective current in A (leakage included).
    factors : ndarray
        The neuron's 25 factors, in :data:`~dynapse_edu.hardware.biasgen.BIAS_NAMES` order.
    I0 : float
        Leakage current in A.

    Returns
    -------
    dict of str to float
        Bias name to the neuron's effective current in A.

    Examples
    --------
    >>> import numpy as np
    >>> out = apply_factors({"IF_DC_P": 5e-12}, np.full(25, 1.5), 1e-12)
    >>> round(out["IF_DC_P"] * 1e12, 9)  # pA: 1 + 1.5 * 4
    7.0
    """
    out = {}
    for name, value in currents.items():
        f = float(factors[_COLUMN[name]])
        if math.isinf(value):
            out[name] = value
        elif value >= I0:
            out[name] = I0 + f * (value - I0)
        else:
            out[name] = f * value
    return out


__all__ = ["Mismatch", "apply_factors", "DISTRIBUTIONS", "DEFAULT_SPREAD"]
