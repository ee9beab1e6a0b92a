"""Settings of people on the board (issue 13): the inbox badge's polling and the discussion's pages.

The notifications' jobs (sweep, daily digest) are in presidency/conf/jobs.py with the other beat entries.
"""

from __future__ import annotations

from presidency.env import env_int

# Seconds between the header's looks at the unread count (htmx polling); comments shown per page of threads.
INBOX_POLL_SECONDS = env_int("INBOX_POLL_SECONDS", 30, minimum=1)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 20, minimum=1)
