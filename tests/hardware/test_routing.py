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


# --- the mapping method: groups and links, budgets, placement, check, traffic -------------------------
from dynapse_edu.errors import ParameterError  # noqa: E402
from dynapse_edu.hardware.routing import (  # noqa: E402
    Group,
    Link,
    cam_budget,
    check_chips,
    check_mapping,
    check_network,
    connection_pairs,
    cores_needed,
    place,
    traffic,
)


def _wta(n=8, w=5):
    groups = [Group("in", n, source=True), Group("A", n, "exc"), Group("B", n, "exc"), Group("inh", 4, "inh")]
    links = [Link("in", "A", 4, "one_to_one"), Link("A", "A", w), Link("B", "B", w), Link("A", "inh", 2),
             Link("B", "inh", 2), Link("inh", "A", 4, synapse="GABA_B"), Link("inh", "B", 4, synapse="GABA_B")]
    return groups, links


def test_cam_budget_sums_sources_times_weight_per_target():
    groups, links = _wta(n=8, w=5)
    assert cam_budget(groups, links) == {"A": 4 + 8 * 5 + 4 * 4, "B": 8 * 5 + 4 * 4, "inh": 2 * 8 * 2}
    # the budget does not depend on any placement: it is the network's
    assert cam_budget(*_wta(n=3, w=1)) == {"A": 4 + 3 + 16, "B": 3 + 16, "inh": 12}


def test_cores_needed_rounds_up_per_bias_set():
    groups = [Group("a", 256, "x"), Group("b", 1, "x"), Group("c", 255, "y"), Group("in", 999, source=True)]
    assert cores_needed(groups) == {"x": 2, "y": 1}


def test_place_compact_keeps_one_bias_set_per_core_and_spans_cores():
    groups = [Group("a", 300, "x"), Group("b", 10, "y"), Group("c", 100, "x")]
    ids = place(groups, n_chips=1)
    assert ids["a"].tolist() == list(range(300))  # core 0 and 44 neurons of core 1
    assert ids["b"].tolist() == list(range(512, 522))  # core 1 holds set x: b goes to core 2
    assert ids["c"].tolist() == list(range(300, 400))  # c shares core 1 with a (same set)
    report = check_mapping(groups, [], ids)
    assert report.ok and all(len(sets) == 1 for sets in report.core_biases.values())


def test_place_spread_starts_group_k_on_chip_k_mod_n():
    groups = [Group("a", 2), Group("b", 2), Group("c", 2)]
    ids = place(groups, n_chips=2, strategy="spread")
    assert [int(v[0]) // 1024 for v in ids.values()] == [0, 1, 0]
    assert ids["c"].tolist() == [2, 3]  # same bias set as a: shares its core


def test_place_refuses_what_does_not_fit_naming_cores():
    groups = [Group(f"g{k}", 10, biases=f"set{k}") for k in range(5)]
    with pytest.raises(HardwareLimitError, match=r"group 'g4'.*needs 5 cores, the board has 4"):
        place(groups, n_chips=1)
    assert len(place(groups, n_chips=2)) == 5
    with pytest.raises(HardwareLimitError, match=r"n_chips = 5: a board holds 1..4 chips"):
        place(groups, n_chips=5)
    with pytest.raises(ParameterError, match="unknown strategy 'random'"):
        place(groups, n_chips=2, strategy="random")


@pytest.mark.parametrize(
    "groups, links, error, match",
    [
        ([Group("a", 2), Group("a", 3)], [], ParameterError, "used twice"),
        ([Group("", 2)], [], ParameterError, "name and biases must be non-empty strings"),
        ([Group("a", 2, biases=3)], [], ParameterError, "got name 'a', biases 3"),
        ([Group("a", 0)], [], ParameterError, r"size = 0 must be a positive integer"),
        ([Group("a", 5000)], [], HardwareLimitError, r"5000 neurons, but a board has 4096 \(1..4096\)"),
        ([Group("a", 2)], [Link("a", "b")], ParameterError, "unknown group 'b'"),
        ([Group("a", 2), Group("i", 2, source=True)], [Link("a", "i")], ParameterError, "is an input"),
        ([Group("a", 2)], [Link("a", "a", 65)], HardwareLimitError, r"weight = 65 .* in 1..64"),
        ([Group("a", 2)], [Link("a", "a", 2.5)], HardwareLimitError, r"weight = 2.5 .* in 1..64"),
        ([Group("a", 2)], [Link("a", "a", 1, "random")], ParameterError, "unknown rule 'random'"),
        ([Group("a", 2), Group("b", 3)], [Link("a", "b", 1, "one_to_one")], ParameterError, "equal sizes"),
        ([Group("a", 2)], [Link("a", "a", 1, synapse="GLU")], ParameterError, "unknown synapse type 'GLU'"),
    ],
)
def test_check_network_refuses_bad_descriptions(groups, links, error, match):
    with pytest.raises(error, match=match):
        check_network(groups, links)


def test_check_chips():
    assert check_chips(4) == 4
    for bad in (0, 5, True, 2.0):
        with pytest.raises(HardwareLimitError, match="a board holds 1..4 chips"):
            check_chips(bad)


def test_connection_pairs_expand_rules_and_number_inputs_in_order():
    groups = [Group("i1", 2, source=True), Group("a", 2), Group("i2", 3, source=True), Group("b", 3)]
    links = [Link("i2", "b", 1, "one_to_one"), Link("a", "b", 2, synapse="NMDA"), Link("i1", "a", 3)]
    pairs = connection_pairs(groups, links, {"a": np.array([10, 11]), "b": np.array([300, 301, 302])})
    assert pairs.pre[:3].tolist() == [2, 3, 4]  # i2 comes after the 2 sources of i1
    assert pairs.from_input.tolist() == [True] * 3 + [False] * 6 + [True] * 4
    pre_post = sorted(zip(pairs.pre[3:9].tolist(), pairs.post[3:9].tolist(), strict=True))
    assert pre_post == [(a, b) for a in (10, 11) for b in (300, 301, 302)]
    assert set(pairs.synapse[3:9].tolist()) == {1} and set(pairs.weight[3:9].tolist()) == {2}
    with pytest.raises(ParameterError, match="has 2 neurons but the placement gives it 1 ids"):
        connection_pairs(groups, links, {"a": np.array([10]), "b": np.array([300, 301, 302])})
    with pytest.raises(ParameterError, match="no ids for group 'b'"):
        connection_pairs(groups, links, {"a": np.array([10, 11])})


def test_check_mapping_counts_cam_and_sram_like_the_board():
    groups, links = _wta(n=8, w=5)
    ids = place(groups, n_chips=1)
    report = check_mapping(groups, links, ids)
    assert report.ok, report.violations
    board = Board(n_chips=1)
    board.allocate(report.neurons)
    pairs = connection_pairs(groups, links, ids)
    own = ~pairs.from_input
    board.add_input(RegularGenerator(8, 10.0))
    board.connect_pairs("input", pairs.pre[~own], pairs.post[~own], "AMPA", pairs.weight[~own].tolist())
    board.connect_pairs("neuron", pairs.pre[own], pairs.post[own], "AMPA", pairs.weight[own].tolist())
    assert [board.cam_used(n) for n in report.neurons] == report.cam_used.tolist()
    assert [len(board.sram_entries(n)) for n in report.neurons] == report.sram_used.tolist()


def test_check_mapping_reports_every_rule_at_once():
    groups = [Group("a", 2, "x"), Group("b", 2, "x"), Group("c", 1, "y"), Group("d", 1, "z")]
    links = [Link("a", "c", 40), Link("b", "c", 2), Link("a", "d", 1)]
    ids = {"a": np.array([0, 1]), "b": np.array([1024, 1025]), "c": np.array([2048]), "d": np.array([2049])}
    report = check_mapping(groups, links, ids, n_chips=3)
    text = "\n".join(report.violations)
    assert "shared biases: core 0 of chip 2 holds groups needing bias sets ['y', 'z']" in text
    assert "CAM fan-in: 1 neuron(s) of group 'c' need up to 84 CAM entries" in text
    assert "tag aliasing: 2 tag(s) reach core 0 of chip 2" in text
    assert [a[:3] for a in report.aliased] == [(2, 0, 0), (2, 0, 1)] and report.aliased[0][3] == [0, 1024]
    assert not report.ok


def test_check_mapping_sram_limit_depends_on_monitoring():
    groups = [Group("s", 1)] + [Group(f"t{c}", 1, biases=f"t{c}") for c in range(4)]
    links = [Link("s", f"t{c}") for c in range(4)]
    ids = {"s": np.array([0])} | {f"t{c}": np.array([c * 1024 + 256]) for c in range(4)}
    with_host = check_mapping(groups, links, ids, n_chips=4, monitor=True)
    assert with_host.sram_used[0] == 5 and with_host.sram_available == 3
    assert any(v.startswith("SRAM fan-out: 1 neuron(s) of group 's' reach up to 4 chips") for v in with_host.violations)
    without = check_mapping(groups, links, ids, n_chips=4, monitor=False)
    assert without.ok and without.sram_used[0] == 4


def test_check_mapping_refuses_ids_outside_the_board_and_reports_duplicates():
    groups = [Group("a", 1), Group("b", 1)]
    with pytest.raises(HardwareLimitError, match=r"neuron id 1024 does not exist: .* ids 0..1023"):
        check_mapping(groups, [], {"a": np.array([1024]), "b": np.array([0])}, n_chips=1)
    report = check_mapping(groups, [], {"a": np.array([7]), "b": np.array([7])})
    assert report.violations == ["neuron 7 of core 0 of chip 0 (id 7) is placed in two groups"]


small = st.integers(1, 3)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(small, st.integers(0, 3)), min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 30), st.booleans()), max_size=6),
       st.sampled_from(["compact", "spread"]), st.integers(1, 4), st.booleans())
def test_check_mapping_agrees_with_the_routing_table(sizes, wiring, strategy, n_chips, monitor):
    """Whatever the network and mapping: no CAM/SRAM/aliasing violation <=> the chip's table accepts it all."""
    groups = [Group(f"g{k}", size, biases=f"b{bias}") for k, (size, bias) in enumerate(sizes)]
    links = [Link(f"g{a % len(groups)}", f"g{b % len(groups)}", w, "all_to_all") for a, b, w, _ in wiring]
    try:
        ids = place(groups, n_chips, strategy)
    except HardwareLimitError:
        return
    report = check_mapping(groups, links, ids, n_chips, monitor)
    routing_rules = [v for v in report.violations if not v.startswith("shared biases")]
    table = RoutingTable(n_chips=n_chips, monitor=monitor)
    pairs = connection_pairs(groups, links, ids)
    try:
        table.add_neurons(pairs.pre, pairs.post, pairs.weight)
        accepted = True
    except HardwareLimitError:
        accepted = False
    assert accepted == (not routing_rules)
    if accepted:
        np.testing.assert_array_equal(table.cam_used[report.neurons], report.cam_used)


def test_traffic_counts_events_per_level():
    groups = [Group("in", 4, source=True), Group("a", 4), Group("b", 4, "other"), Group("c", 4, "third")]
    links = [Link("in", "a", 2, "one_to_one"), Link("a", "b", 3), Link("a", "c", 1), Link("b", "c", 1)]
    ids = {"a": np.arange(4), "b": np.arange(256, 260), "c": np.arange(1024, 1028)}  # c on chip 1
    out = traffic(groups, links, ids, {"in": 100.0, "a": 10.0, "b": 5.0}, monitor=True)
    assert out["spikes"] == 4 * 10 + 4 * 5
    assert out["core_broadcasts"] == 4 * 10 * 2 + 4 * 5  # a reaches two cores, b one
    assert out["chip_crossings"] == 4 * 10 + 4 * 5  # both reach c on chip 1
    assert out["input_events"] == 4 * 100.0
    assert out["synaptic_events"] == 4 * 100 * 2 + 16 * 10 * 3 + 16 * 10 + 16 * 5
    assert out["host"] == out["spikes"]
    assert traffic(groups, links, ids, {"a": 1.0}, monitor=False)["host"] == 0.0
    for bad, match in (({"x": 1.0}, "unknown group 'x'"), ({"a": -1.0}, r"'a' = -1.0 Hz must be a finite rate >= 0"),
                       ({"a": float("nan")}, "must be a finite rate"), ([1.0], "rates must be a dict")):
        with pytest.raises(ParameterError, match=match):
            traffic(groups, links, ids, bad)
