"""The dams behind the cameras: reference levels, telemetry readings, simulation and conditions."""
