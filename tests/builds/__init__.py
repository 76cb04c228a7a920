"""Building: the API and the build command, full and incremental, interrupted, rebuilt."""
