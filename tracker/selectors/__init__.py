"""Every read the screens and the API need, each in a fixed number of queries whatever the number of rows.

    rollups.py     the progress roll-up (defined here only) and the year report
    activities.py  activity lists, the API's rows, the dashboard's deadlines and log
    board.py       the web board: deadline marks, columns and lanes
    timeline.py    the timeline and the burn-up chart
    month.py       the calendar page's month grid
    history.py     the activity page's history, worded from tracker/history.py
    delivery.py    ratings and trends, the heat map, the risk log and stocktake screens
    commitments.py coverage, declared versus delivered, the participation matrix, the handover pack

delivery.py and commitments.py are imported as submodules (`from tracker.selectors import delivery as
selectors_delivery`), like their services.
"""

from tracker.selectors.activities import (
    ACTIVITY_COLUMNS,
    activity_detail,
    activity_list,
    activity_log,
    activity_records,
    activity_row,
    activity_rows,
    activity_rows_with_states,
    overdue_activities,
    participating_state_ids,
    participating_states_of,
    recent_updates,
    upcoming_deadlines,
)
from tracker.selectors.board import (
    BoardColumn,
    BoardLane,
    board_columns,
    mark_dates,
    next_deadline_by_priority,
)
from tracker.selectors.history import (
    FieldChange,
    HistoryEntry,
    activity_history,
)
from tracker.selectors.month import (
    EVENT_KINDS,
    CalendarDay,
    CalendarItem,
    CalendarMonth,
    calendar_month,
)
from tracker.selectors.rollups import (
    Rollup,
    current_presidency,
    presidency_rollup,
    priority_rollups,
    rollups_by_body,
    rollups_by_priority,
    year_report,
)
from tracker.selectors.timeline import (
    BurnupPoint,
    BurnupSeries,
    TimelineGroup,
    burnup_series,
    timeline_rows,
)

__all__ = [
    "ACTIVITY_COLUMNS",
    "EVENT_KINDS",
    "BoardColumn",
    "BoardLane",
    "BurnupPoint",
    "BurnupSeries",
    "CalendarDay",
    "CalendarItem",
    "CalendarMonth",
    "FieldChange",
    "HistoryEntry",
    "Rollup",
    "TimelineGroup",
    "activity_detail",
    "activity_history",
    "activity_list",
    "activity_log",
    "activity_records",
    "activity_row",
    "activity_rows",
    "activity_rows_with_states",
    "board_columns",
    "burnup_series",
    "calendar_month",
    "current_presidency",
    "mark_dates",
    "next_deadline_by_priority",
    "overdue_activities",
    "participating_state_ids",
    "participating_states_of",
    "presidency_rollup",
    "priority_rollups",
    "recent_updates",
    "rollups_by_body",
    "rollups_by_priority",
    "timeline_rows",
    "upcoming_deadlines",
    "year_report",
]
