"""The errors and warnings a search raises about itself (not about its input)."""

from __future__ import annotations

__all__ = ["RefitWarning", "SearchFailedError", "SearchInterruptedWarning"]


class SearchFailedError(RuntimeError):
    """Every trial of the search failed, so there is no model to return."""


class SearchInterruptedWarning(UserWarning):
    """The search was cut short (Ctrl-C); the best trial so far was refit."""


class RefitWarning(UserWarning):
    """The best trial failed to refit on all rows and the next best was used."""
