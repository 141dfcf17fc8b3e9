"""Alerts: detected conditions become owned alert instances with a lifecycle, history and mail."""
