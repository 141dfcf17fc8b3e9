"""The briefing: a dated A4 PDF for the leaders' meetings, built from the screens' own queries."""
