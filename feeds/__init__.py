"""Live feeds: the real-time simulator and the hourly roll-up of per-tick rows."""
