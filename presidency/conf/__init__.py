"""Parts of presidency/settings.py, one concern each; settings.py imports their values."""
