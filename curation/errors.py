"""Errors the curation rules raise; their messages are safe to show (no PHI, no raw text).

Kept apart from services so that curation.phi_gate and curation.services can both raise them
without importing each other in a circle.
"""

from __future__ import annotations


class CurationError(ValueError):
    """A request the curation rules refuse; the message is safe to show (no PHI)."""


class FourEyesViolation(CurationError):
    """The author of an example tried to decide on it."""
