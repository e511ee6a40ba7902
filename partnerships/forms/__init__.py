"""Forms for the partnerships app, one module per feature."""
