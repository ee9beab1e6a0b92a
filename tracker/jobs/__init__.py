"""The background jobs' logic, as plain functions that tracker/tasks.py calls and tests call directly."""
