"""Settings for benchmark runs: production settings plus the floor views and a query counter."""

from presidency.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
MIDDLEWARE = ["benchmarks.floor.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
# The benchmark measures the application, not the throttle: one client sends thousands of requests a second.
REST_FRAMEWORK = {**globals().get("REST_FRAMEWORK", {}), "DEFAULT_THROTTLE_CLASSES": []}
