"""The web board's URLs, included at the site's root."""

from django.urls import path

from tracker.web.views import activity, board, calendar, commitments, dashboard, delivery, reports, schedule, timeline

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
    # The secretariat's rhythm: ratings, the risk log and stocktakes (tracker/web/views/delivery.py).
    path("activities/<int:pk>/assess/", delivery.activity_assess, name="activity-assess"),
    path("activities/<int:pk>/risks/", delivery.activity_raid_add, name="activity-risk-add"),
    path("priorities/<int:pk>/", delivery.priority_detail, name="priority"),
    path("priorities/<int:pk>/assess/", delivery.priority_assess, name="priority-assess"),
    path("priorities/<int:pk>/risks/", delivery.priority_raid_add, name="priority-risk-add"),
    path("stocktakes/", delivery.stocktake_list, name="stocktakes"),
    path("stocktakes/open/", delivery.stocktake_open, name="stocktake-open"),
    path("stocktakes/<int:pk>/", delivery.stocktake_detail, name="stocktake"),
    path("stocktakes/<int:pk>/attendees/", delivery.stocktake_attendees, name="stocktake-attendees"),
    path("stocktakes/<int:pk>/items/", delivery.stocktake_item_add, name="stocktake-item-add"),
    path("stocktakes/<int:pk>/close/", delivery.stocktake_close, name="stocktake-close"),
    path("stocktakes/<int:pk>/print/", delivery.stocktake_print, name="stocktake-print"),
    path("stocktakes/<int:pk>/pack.docx", delivery.stocktake_docx, name="stocktake-docx"),
    path("reports/assessments.csv", delivery.export_assessments_csv, name="export-assessments-csv"),
    path("reports/risks.csv", delivery.export_risks_csv, name="export-risks-csv"),
    path("stocktake-items/<int:pk>/milestone/", delivery.stocktake_item_milestone, name="stocktake-item-milestone"),
    path("stocktake-items/<int:pk>/activity/", delivery.stocktake_item_activity, name="stocktake-item-activity"),
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
    # The schedule (issue 17): links, forecasts, baselines (tracker/web/views/schedule.py).
    path("activities/<int:pk>/links/", schedule.link_add, name="link-add"),
    path("links/<int:pk>/delete/", schedule.link_delete, name="link-delete"),
    path("reports/schedule/", schedule.schedule_report, name="schedule"),
    path("reports/schedule/baselines/", schedule.baseline_approve, name="baseline-approve"),
    path("reports/links.csv", schedule.links_csv, name="links-csv"),
]
