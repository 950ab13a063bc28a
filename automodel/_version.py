"""The version of this automodel: the package, the model files and the Spark check read it."""

__version__ = "0.1.0"
