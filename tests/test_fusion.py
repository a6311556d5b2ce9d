"""Fusion of the dense and lexical rankings: each fusion's promise, on scores where it shows."""

from __future__ import annotations

import pytest

from assistant.answer.retrieval import adaptive_fusion, rrf, score_fusion


def order(fused):
    return sorted(fused, key=lambda r: -fused[r])


def test_rrf_sums_weighted_reciprocal_ranks():
    assert rrf([[1, 2], [2, 3]], [1.0, 1.0], k=0) == {1: 1.0, 2: 1.5, 3: 0.5}


def test_score_fusion_keeps_a_leads_size():
    fused = score_fusion([(1, 0.9), (2, 0.5)], [(2, 10.0)], [0.5, 0.5])
    assert fused == {1: 0.5, 2: 0.5}


def test_adaptive_a_side_whose_candidates_score_alike_leaves_the_order_to_the_other():
    dense = [(7, 0.70), (3, 0.52), (5, 0.50), (4, 0.49), (6, 0.48)]  # 7 stands out
    lexical = [(3, 20.1), (5, 20.0), (7, 19.9), (4, 5.0), (6, 4.0)]  # 3, 5 and 7 share the question's words
    fused = adaptive_fusion(dense, lexical, [0.5, 0.5])
    assert order(fused)[:3] == [7, 3, 5] and fused[7] > 1.5 * fused[3]


def test_adaptive_a_clear_lexical_leader_wins_over_an_undecided_dense_side():
    dense = [(1, 0.61), (2, 0.60), (9, 0.59), (4, 0.58), (5, 0.57)]
    lexical = [(9, 25.0), (1, 6.0), (2, 5.5), (4, 5.0), (5, 4.0)]  # only 9 holds the rare words
    assert order(adaptive_fusion(dense, lexical, [0.5, 0.5]))[0] == 9


def test_adaptive_shares_sum_to_the_weights_and_a_lone_side_keeps_its_order():
    dense = [(1, 0.9), (2, 0.7), (3, 0.2)]
    fused = adaptive_fusion(dense, [], [0.5, 0.5])
    assert sum(fused.values()) == pytest.approx(0.5) and order(fused) == [1, 2, 3]
    assert adaptive_fusion([(1, 0.3), (2, 0.3)], [], [1.0, 0.0]) == {1: 0.5, 2: 0.5}
