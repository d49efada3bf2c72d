"""Smoke test of the full-chip benchmark (benchmarks/full_chip.py) on the example workload (tests/data), 50 ms."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np

from dynapse_edu.core.result import Record
from dynapse_edu.engines.fast import run_fast
from dynapse_edu.engines.reference import run_reference

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("full_chip", ROOT / "benchmarks" / "full_chip.py")
full_chip = importlib.util.module_from_spec(spec)
spec.loader.exec_module(full_chip)

WORKLOAD = full_chip.DEFAULT_WORKLOAD


def test_benchmark_script_50ms(tmp_path, capsys):
    out_json = tmp_path / "out.json"
    out = full_chip.main(
        ["--workload", str(WORKLOAD), "--duration", "0.05", "--json", str(out_json), "--check-core", "0.01"]
    )
    printed = capsys.readouterr().out
    assert "method fast: build" in printed and "per-neuron spike counts" in printed
    saved = json.loads(out_json.read_text())
    assert saved["neurons"] == 1024 and len(saved["spike_counts"]) == 1024
    assert saved["total_output_spikes"] == sum(saved["spike_counts"]) == out["total_output_spikes"]
    # driven hard: every neuron fires, at roughly the workload's ~145 Hz after the first spike
    counts = np.array(saved["spike_counts"])
    assert counts.min() >= 1
    assert 60 < saved["mean_rate_hz"] < 250
    assert saved["build_s"] >= 0 and len(saved["run_s"]) == 1
    # the accuracy printed next to the speed
    assert saved["part1"]["reference_spikes"] == saved["part1"]["fast_spikes"] == 53
    assert saved["part1"]["max_spike_time_difference_s"] < 0.05e-3
    assert saved["check_core"]["reference_spikes"] == saved["check_core"]["fast_spikes"] > 0
    assert "accuracy, part 1" in printed and "accuracy, core 0" in printed


def test_workload_network_wiring():
    w = full_chip.load_workload(WORKLOAD)
    net = full_chip.workload_network(w["pre_sources"], w["weights"], w["in_indices"], w["in_spike_times"])
    assert net.n == 1024
    assert net.external.post.size == 1024 * 64
    # neuron 5 receives exactly its 64 sources with its weights
    mask = net.external.post == 5
    pre = np.repeat(np.arange(net.external.n_pre), np.diff(net.external.ptr))[mask]
    assert sorted(zip(pre.tolist(), net.external.weight[mask].tolist(), strict=True)) == sorted(
        zip(w["pre_sources"][5].tolist(), w["weights"][5].astype(float).tolist(), strict=True)
    )
    assert np.all(np.diff(net.input_times) >= 0)


def test_board_has_four_chips_of_the_same_wiring():
    w = full_chip.load_workload(WORKLOAD)
    board = full_chip.board_workload(w, 4)
    assert board["pre_sources"].shape == (4096, 64)
    np.testing.assert_array_equal(board["pre_sources"][1024:2048] - 1024, w["pre_sources"])
    np.testing.assert_array_equal(board["weights"][3072:], w["weights"])
    chip2 = (board["in_indices"] >= 2048) & (board["in_indices"] < 3072)
    assert 0.8 * w["in_indices"].size < chip2.sum() < 1.2 * w["in_indices"].size


def test_core_subset_matches_reference():
    """32 neurons of core 0 for 50 ms: the same spike counts as the reference integrator."""
    w = full_chip.load_workload(WORKLOAD)
    net = full_chip.workload_network(
        w["pre_sources"], w["weights"], w["in_indices"], w["in_spike_times"], neurons=np.arange(32)
    )
    record = Record(dt=None, neurons=(), at_spikes=False)
    ref = run_reference(net, 0.05, record)
    fast = run_fast(net, 0.05, record)
    assert ref.spike_count.sum() > 100
    np.testing.assert_array_equal(fast.spike_count, ref.spike_count)
    shift = max(np.abs(a - b).max() for a, b in zip(fast.spike_times, ref.spike_times, strict=True) if a.size)
    assert shift < 0.05e-3
