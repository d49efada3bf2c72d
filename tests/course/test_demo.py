"""Tests of dynapse_edu.course.demo: the part-1 experiment as a command."""

from __future__ import annotations

from dynapse_edu import experiments
from dynapse_edu.course import demo


def test_demo_writes_the_figure_and_reports_the_spikes(tmp_path, capsys):
    out = demo.main(["--out", str(tmp_path / "fig" / "part1.png"), "--duration", "0.2"])
    assert out == tmp_path / "fig" / "part1.png" and out.stat().st_size > 10_000
    spikes = int(experiments.part1(duration=0.2).spike_count[0])
    assert f"part 1: {spikes} output spikes in 0.2 s" in capsys.readouterr().out
