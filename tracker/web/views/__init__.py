"""The web board's views, one module per page."""
