"""Settings of people on the board (issue 13): the inbox badge's polling and the discussion's pages.

The notifications' jobs (sweep, daily digest) are in presidency/conf/jobs.py with the other beat entries.
"""

from __future__ import annotations

from presidency.env import env_int

# Seconds between the header's looks at the unread count (htmx polling); comments shown per page of threads.
INBOX_POLL_SECONDS = env_int("INBOX_POLL_SECONDS", 30, minimum=1)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 20, minimum=1)

# Notification e-mails (issue 13, tracker/notification_email.py): a sender claims a row for this lease; a
# claim that lapses (its worker died) is taken over by the notifications sweep, so delivery is at least
# once. A failed send is tried again after attempts x NOTIFICATION_EMAIL_RETRY_SECONDS, up to MAX_ATTEMPTS.
NOTIFICATION_EMAIL_LEASE_SECONDS = env_int("NOTIFICATION_EMAIL_LEASE_SECONDS", 120, minimum=1)
NOTIFICATION_EMAIL_RETRY_SECONDS = env_int("NOTIFICATION_EMAIL_RETRY_SECONDS", 60, minimum=1)
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 5, minimum=1)
