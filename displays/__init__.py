"""Displays: the registry of walls and bridge points, playlists, presenter and live state."""
