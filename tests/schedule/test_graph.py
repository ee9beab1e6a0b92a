"""The schedule's pure rules on constructed graphs and histories (tracker/schedule_graph.py)."""

from __future__ import annotations

import datetime as dt

from tracker import schedule_graph as graph
from tracker.schedule_graph import Link, Node

D = dt.date


def test_a_link_closing_a_cycle_names_the_path():
    links = [Link(1, 2), Link(2, 3)]
    assert graph.cycle_if_added(links, 3, 1) == [3, 1, 2, 3]
    assert graph.cycle_if_added(links, 1, 3) is None  # a shortcut is not a cycle
    assert graph.cycle_if_added(links, 4, 4) == [4, 4]


def test_the_shortest_cycle_is_named():
    links = [Link(1, 2), Link(2, 3), Link(3, 4), Link(1, 4)]
    assert graph.cycle_if_added(links, 4, 1) == [4, 1, 4]


def test_topological_order_puts_predecessors_first_and_survives_imported_cycles():
    order = graph.topological_order([3, 2, 1], [Link(1, 2), Link(2, 3)])
    assert order == [1, 2, 3]
    assert sorted(graph.topological_order([1, 2, 5], [Link(1, 2), Link(2, 1)])) == [1, 2, 5]


def test_no_progress_means_not_enough_data_never_a_date():
    pace = graph.pace_forecast(progress=0, history=[(D(2023, 3, 1), 0)], today=D(2023, 7, 1))
    assert pace.method == graph.NO_DATA and pace.finish is None
    assert graph.pace_forecast(progress=30, history=[], today=D(2023, 7, 1)).method == graph.NO_DATA


def test_rate_over_the_last_updates_measured_to_today():
    # 20% on 1 June, 40% on 11 June: 20 points in 20 days to 21 June = 1 point a day; 60 left -> 60 days.
    history = [(D(2023, 5, 1), 5), (D(2023, 6, 1), 20), (D(2023, 6, 11), 40)]
    pace = graph.pace_forecast(progress=40, history=history, today=D(2023, 6, 21), window=2)
    assert pace.method == graph.PACE
    assert pace.rate == 1.0
    assert pace.finish == D(2023, 8, 20)


def test_a_single_update_counts_from_the_start():
    pace = graph.pace_forecast(progress=50, history=[(D(2023, 3, 11), 50)], today=D(2023, 3, 11),
                               start=D(2023, 3, 1))
    assert pace.rate == 5.0 and pace.finish == D(2023, 3, 21)


def test_stalled_work_uses_the_floor():
    history = [(D(2023, 1, 10), 10), (D(2023, 2, 10), 10)]
    pace = graph.pace_forecast(progress=10, history=history, today=D(2023, 6, 1), floor=0.5)
    assert pace.method == graph.STALLED and pace.rate == 0.5
    assert pace.finish == D(2023, 6, 1) + dt.timedelta(days=180)


def test_done_and_cancelled():
    assert graph.pace_forecast(progress=100, history=[], today=D(2023, 6, 1), done_on=D(2023, 5, 2)).finish == D(
        2023, 5, 2)
    assert graph.pace_forecast(progress=40, history=[(D(2023, 1, 1), 40)], today=D(2023, 6, 1),
                               closed=True).method == graph.CLOSED


def test_finish_to_start_pushes_the_successor_and_names_the_driver():
    today = D(2023, 5, 1)
    nodes = {
        1: Node(1, due=D(2023, 6, 30), start=D(2023, 5, 1), forecast=D(2023, 7, 31), group=1),
        2: Node(2, due=D(2023, 8, 10), start=D(2023, 8, 1), group=1),  # no data: its plan
        3: Node(3, due=D(2023, 9, 30), start=D(2023, 9, 1), group=1),
    }
    result = graph.propagate(nodes, [Link(1, 2), Link(2, 3)], today=today)
    # 2 cannot start before 1 Aug (1 finishes 31 Jul) and takes 9 days: 10 Aug, unchanged; 3 follows.
    assert result[2].finish == D(2023, 8, 10) and not result[2].pushed and result[2].driver == 1
    nodes[1] = Node(1, due=D(2023, 6, 30), start=D(2023, 5, 1), forecast=D(2023, 8, 31), group=1)
    result = graph.propagate(nodes, [Link(1, 2), Link(2, 3)], today=today)
    assert result[2].finish == D(2023, 9, 10) and result[2].pushed
    assert result[3].finish == D(2023, 10, 10) and result[3].pushed and result[3].driver == 2
    assert graph.critical_chain(nodes, result, 1) == [1, 2, 3]


def test_finish_to_finish_and_blocks():
    today = D(2023, 5, 1)
    nodes = {1: Node(1, due=D(2023, 6, 30), forecast=D(2023, 9, 1)), 2: Node(2, due=D(2023, 7, 31)),
             3: Node(3, due=D(2023, 7, 31))}
    result = graph.propagate(nodes, [Link(1, 2, graph.FINISH_TO_FINISH), Link(1, 3, graph.BLOCKS)], today=today)
    assert result[2].finish == D(2023, 9, 1)
    assert result[3].finish == D(2023, 7, 31) and not result[3].pushed  # blocks carries no dates


def test_waiting_flags():
    today = D(2023, 7, 1)
    pred = Node(1, due=D(2023, 8, 15), start=D(2023, 6, 1))
    succ = Node(2, due=D(2023, 9, 30), start=D(2023, 8, 1))
    result = graph.propagate({1: pred, 2: succ}, [Link(1, 2)], today=today)
    assert result[2].waiting == [(1, graph.DUE_AFTER_START)]
    late = Node(1, due=D(2023, 6, 15), start=D(2023, 6, 1))
    assert graph.propagate({1: late, 2: succ}, [Link(1, 2)], today=today)[2].waiting == [(1, graph.LATE)]
    done = Node(1, due=D(2023, 8, 15), done_on=D(2023, 6, 20))
    assert graph.propagate({1: done, 2: succ}, [Link(1, 2)], today=today)[2].waiting == []
    fine = Node(1, due=D(2023, 7, 20), start=D(2023, 6, 1))
    assert graph.propagate({1: fine, 2: succ}, [Link(1, 2)], today=today)[2].waiting == []
