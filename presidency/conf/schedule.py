"""Settings of the schedule (issue 17; docs/schedule.md)."""

from __future__ import annotations

from presidency.env import env_int

# Forecasts from pace: the rate over the last SCHEDULE_FORECAST_UPDATES progress updates, measured to today; a
# rate under SCHEDULE_FORECAST_FLOOR_HUNDREDTHS / 100 points a day counts as stalled and uses that floor
# (25 = 0.25 points a day: 400 days for a whole activity).
SCHEDULE_FORECAST_UPDATES = env_int("SCHEDULE_FORECAST_UPDATES", 5, minimum=1)
SCHEDULE_FORECAST_FLOOR_HUNDREDTHS = env_int("SCHEDULE_FORECAST_FLOOR_HUNDREDTHS", 25, minimum=1)
