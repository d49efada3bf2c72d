"""The netlists and the model card, shipped inside the package as ``dynapse_edu.circuits``.

This folder is where they are edited (see README.md here); ``pyproject.toml`` maps it into the
package, and :data:`dynapse_edu.spice.ngspice.CIRCUITS_DIR` finds it with importlib.resources, in a
clone and in an installed wheel alike.
"""
