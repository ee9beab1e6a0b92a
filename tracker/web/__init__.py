"""The staff web board: server-rendered pages with htmx, one of the tracker's three doors.

Views are thin: reads go through tracker/selectors.py and tracker/filters.py, writes through
tracker/services.py with an Actor on the web channel, and domain errors become messages on the page.
"""
