"""Settings of signing in: backends, django-axes' lockout, the trusted proxies, passwords and sessions.

Imported by presidency/settings.py; every value is read from the environment through presidency/env.py.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from presidency.env import env_bool, env_int, env_list

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a login from a user/IP pair that guessed wrong too often.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# The client's address as the trusted proxies report it (tracker/client_ip.py), for the lockout and the API's
# anonymous throttle. TRUSTED_PROXY_COUNT: how many proxies in front of gunicorn append to X-Forwarded-For
# (0, the default: trust none, REMOTE_ADDR is the client). TRUSTED_PROXY_IPS: optionally, the proxies'
# addresses or networks; X-Forwarded-For is then read only on requests coming from them.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", [])
for _network in TRUSTED_PROXY_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS holds {_network!r}, not an address or network") from None
AXES_CLIENT_IP_CALLABLE = "tracker.client_ip.client_address"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
