"""The routing memory: 64 CAM entries per neuron, 4 SRAM destinations, tag aliasing, atomic batches."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynapse_edu import RegularGenerator
from dynapse_edu.errors import HardwareLimitError
from dynapse_edu.hardware.board import Board
from dynapse_edu.hardware.config import board_to_dict
from dynapse_edu.hardware.routing import RoutingTable, address, global_id, tag


def test_addresses_and_tags():
    assert global_id(3, 2, 255) == 3 * 1024 + 2 * 256 + 255
    assert address(global_id(1, 3, 7)) == (1, 3, 7)
    assert tag(global_id(2, 1, 5)) == tag(global_id(0, 1, 5)) == 256 + 5  # no chip id in a tag
    assert tag(global_id(3, 3, 255)) < 2**10


def test_weight_k_uses_k_cam_entries_and_the_65th_fails():
    board = Board(n_chips=1)
    src, post = board.get_neurons(2, core=0), board.get_neurons(1, core=1)
    board.add_connection(src[:1], post, "AMPA", weight=40)
    assert board.cam_used(post.ids[0]) == 40
    board.add_connection(RegularGenerator(1, 10.0), post, "NMDA", weight=24)
    assert board.cam_used(post.ids[0]) == 64
    before = board_to_dict(board)
    with pytest.raises(HardwareLimitError, match=r"CAM fan-in: neuron 0 of core 1 of chip 0 \(id 256\).*65.*64"):
        board.add_connection(src[1:], post, "GABA_A", weight=1)
    assert board_to_dict(board) == before
    assert board.cam_used(post.ids[0]) == 64


def test_fan_out_three_chips_with_monitoring_four_without():
    for monitor, ok in ((True, 3), (False, 4)):
        board = Board(n_chips=4, monitor=monitor)
        src = board.get_neurons(1, core=0, chip=0)
        targets = [board.get_neurons(1, core=2, chip=c) for c in range(4)]
        for c in range(ok):
            board.add_connection(src, targets[c], "AMPA", weight=1)
        entries = board.sram_entries(src.ids[0])
        assert entries[0] == (-1, 0) if monitor else entries[0] == (0, 4)
        assert len(entries) == 4
        if monitor:
            before = board_to_dict(board)
            with pytest.raises(HardwareLimitError, match=r"SRAM fan-out: neuron 0 of core 0 of chip 0.*4 destination"):
                board.add_connection(src, targets[3], "AMPA", weight=1)
            assert board_to_dict(board) == before


def test_core_mask_collects_cores_of_one_chip():
    board = Board(n_chips=2)
    src = board.get_neurons(1, core=0, chip=0)
    for core in (1, 3):
        board.add_connection(src, board.get_neurons(2, core=core, chip=1), "AMPA", weight=1)
    assert board.sram_entries(src.ids[0]) == [(-1, 0), (1, 0b1010)]


def test_tag_aliasing_is_rejected_naming_both_sources():
    board = Board(n_chips=3)
    a = board.get_neurons(1, core=1, chip=0)
    b = board.get_neurons(1, core=1, chip=1)  # same (core, neuron) id as a
    target = board.get_neurons(2, core=0, chip=2)
    board.add_connection(a, target[:1], "AMPA", weight=1)
    before = board_to_dict(board)
    with pytest.raises(HardwareLimitError, match=r"tag aliasing: .*id 256\).*id 1280\).*core 0 of chip 2"):
        board.add_connection(b, target[1:], "AMPA", weight=1)  # another neuron, same core: still aliased
    assert board_to_dict(board) == before
    board.add_connection(b, board.get_neurons(1, core=3, chip=2), "AMPA", weight=1)  # another core is fine


def test_a_batch_is_all_or_nothing():
    board = Board(n_chips=1)
    pre, post = board.get_neurons(3, core=0), board.get_neurons(2, core=1)
    board.add_connection(pre[:1], post[1:], "AMPA", weight=40)
    before = board_to_dict(board)
    with pytest.raises(HardwareLimitError, match="id 257"):
        board.add_connection(pre, post, "AMPA", weight=10)  # post[0] would be fine, post[1] needs 70
    assert board_to_dict(board) == before
    assert board.cam_used(post.ids[0]) == 0


def test_weights_in_hardware_mode():
    board = Board(n_chips=1)
    pre, post = board.get_neurons(1, core=0), board.get_neurons(1, core=1)
    for bad in (0, 0.5, 65, -1, True, 2.5, float("nan")):
        with pytest.raises(HardwareLimitError, match="positive integer number of CAM entries"):
            board.add_connection(pre, post, "AMPA", weight=bad)
    board.add_connection(pre, post, "AMPA", weight=2.0)  # an integer-valued float is an integer
    assert board.cam_used(post.ids[0]) == 2


# --- property: an independent model of the rules agrees with the board -----------------
def _expected_ok(connections, monitor):
    """Brute force: replay (pre, post, weight) and say whether each batch is allowed."""
    cam, dest, tags = {}, {}, {}
    verdicts = []
    for batch in connections:
        cam2, dest2, tags2 = dict(cam), {k: set(v) for k, v in dest.items()}, {k: dict(v) for k, v in tags.items()}
        ok = True
        for pre, post, w in batch:
            cam2[post] = cam2.get(post, 0) + w
            dest2.setdefault(pre, set()).add(post // 1024)
            core = post // 256
            other = tags2.setdefault(core, {}).setdefault(pre % 1024, pre)
            ok &= cam2[post] <= 64 and len(dest2[pre]) <= 4 - monitor and other == pre
        verdicts.append(ok)
        if ok:
            cam, dest, tags = cam2, dest2, tags2
    return verdicts


neuron_st = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2))  # chip, core, neuron
batch_st = st.lists(st.tuples(neuron_st, neuron_st, st.integers(1, 40)), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(batch_st, min_size=1, max_size=6), st.booleans())
def test_random_batches_agree_with_a_brute_force_model(batches, monitor):
    table = RoutingTable(n_chips=4, monitor=monitor)
    ids = [[(global_id(*a), global_id(*b), w) for a, b, w in batch] for batch in batches]
    expected = _expected_ok(ids, monitor)
    for batch, ok in zip(ids, expected, strict=True):
        before = (table.cam_used.copy(), {k: dict(v) for k, v in table.destinations.items()}, dict(table.core_tags))
        pre, post, w = (np.array(x) for x in zip(*batch, strict=True))
        try:
            table.add_neurons(pre, post, w)
            accepted = True
        except HardwareLimitError:
            accepted = False
            np.testing.assert_array_equal(table.cam_used, before[0])
            assert table.destinations == before[1] and table.core_tags == before[2]
        assert accepted == ok
