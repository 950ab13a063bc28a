"""automodel's benchmark scripts (not part of the installed package)."""
