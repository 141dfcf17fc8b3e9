"""Tests of ui/: the palette and the shared wording."""
