"""Cross-cutting web pieces of the app: health, error pages, security headers."""
