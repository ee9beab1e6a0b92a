"""The web board's URLs, included at the site's root."""

from django.urls import path

from tracker.web.views import activity, board, calendar, commitments, dashboard, reports, timeline

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("board/", board.board, name="board"),
    path("activities/<int:pk>/", activity.activity_detail, name="activity"),
    path("activities/<int:pk>/move/", board.activity_move, name="activity-move"),
    path("activities/<int:pk>/update/", activity.activity_update, name="activity-update"),
    path("activities/<int:pk>/confirm-dates/", activity.activity_confirm_dates, name="activity-confirm-dates"),
    path("milestones/<int:pk>/toggle/", activity.milestone_toggle, name="milestone-toggle"),
    path("milestones/<int:pk>/confirm-date/", activity.milestone_confirm_date, name="milestone-confirm"),
    path("timeline/", timeline.timeline, name="timeline"),
    path("calendar/", calendar.calendar_month, name="calendar"),
    path("calendar/feed/reset/", calendar.calendar_feed_reset, name="calendar-feed-reset"),
    path("calendar/feed/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
    path("reports/", reports.reports, name="reports"),
    path("reports/activities.csv", reports.export_csv, name="export-csv"),
    path("reports/year/", reports.year_report, name="year-report"),
    path("commitments/", commitments.coverage, name="commitments"),
    path("commitments/<int:pk>/", commitments.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/outcome/", commitments.commitment_outcome, name="commitment-outcome"),
    path("sources/<int:pk>/", commitments.source_detail, name="source"),
    path("participation/", commitments.participation_matrix, name="participation"),
    path("states/<str:code>/", commitments.member_state, name="member-state"),
    path("presidency/", commitments.choose_presidency, name="choose-presidency"),
    path("handover/", commitments.handover, name="handover"),
    path("handover.docx", commitments.handover_docx_view, name="handover-docx"),
    path("activities/<int:pk>/carry-over/", commitments.carry_over, name="carry-over"),
    path("reports/delivered/", commitments.delivered, name="delivered"),
    path("reports/delivered.docx", commitments.delivered_docx_view, name="delivered-docx"),
    path("reports/delivered.csv", commitments.delivered_csv, name="delivered-csv"),
]
