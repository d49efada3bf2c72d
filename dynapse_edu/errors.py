"""The exceptions dynapse_edu raises.

All derive from :class:`DynapseError`; those about values also derive from
``ValueError`` so that code catching ``ValueError`` keeps working. Every
message names the bad value and what would have been allowed.
"""

from __future__ import annotations


class DynapseError(Exception):
    """Base class of every dynapse_edu error."""


class ParameterError(DynapseError, ValueError):
    """A model parameter or an argument is out of its allowed range or unknown."""


class HardwareLimitError(DynapseError, ValueError):
    """A request breaks a rule of the Dynap-SE1 hardware (cores, neurons, CAM, biases...)."""


__all__ = ["DynapseError", "ParameterError", "HardwareLimitError"]
