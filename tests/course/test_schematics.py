"""Tests of dynapse_edu.course.schematics: the circuit drawings of the book."""

from __future__ import annotations

import re

import schemdraw.elements as elm
from schemdraw import flow

from dynapse_edu.course import schematics


def _count(drawing, kind) -> int:
    return sum(isinstance(e, kind) for e in drawing.elements)


def _svg_text(drawing) -> str:
    svg = drawing.get_imagedata("svg").decode()
    return re.sub(r"<[^>]+>", "", svg)  # the text content, math included


def test_dpi_synapse_has_the_dpi_devices():
    d = schematics.dpi_synapse()
    assert _count(d, elm.NFet) == 4  # M_thr, M_in (differential pair), M_pre, M_w (input)
    assert _count(d, elm.PFet) == 2  # M_tau (leak), M_syn (output)
    assert _count(d, elm.Capacitor) == 1
    assert _count(d, elm.Ground) == 1 and _count(d, elm.Vdd) == 1


def test_dpi_synapse_labels_every_bias_and_node():
    text = _svg_text(schematics.dpi_synapse())
    for needle in ("thr", "syn", "pre", "spike", "to the soma"):
        assert needle in text, needle


def test_dpi_synapse_differential_pair_shares_its_source_node():
    d = schematics.dpi_synapse()
    fets = [e for e in d.elements if isinstance(e, elm.NFet)]
    m_thr, m_in, m_pre = fets[0], fets[1], fets[2]
    # both branches end at the same height, where the tail transistor M_pre begins
    assert m_thr.absanchors["source"][1] == m_in.absanchors["source"][1]
    assert m_pre.absanchors["drain"][1] < m_thr.absanchors["source"][1]


def test_dpi_neuron_block_diagram():
    d = schematics.dpi_neuron()
    assert _count(d, flow.Box) == len(schematics.DPI_NEURON_BLOCKS)
    text = _svg_text(d)
    for block in ("membrane DPI", "positive feedback", "adaptation DPI", "refractory"):
        assert block in text, block


def test_drawings_save_as_svg(tmp_path):
    path = tmp_path / "dpi.svg"
    schematics.dpi_synapse().save(str(path))
    assert path.read_text().lstrip().startswith("<svg")
