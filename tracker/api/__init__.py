"""The REST API for other systems (and the board's scripts): see docs/api.md and docs/architecture.md."""
