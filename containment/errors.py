"""The package's own errors: one base class, each subclassing the built-in that fits.

The app and the command line catch :class:`ContainmentError` and show its message; anything
else is a bug and is allowed to surface.
"""

__all__ = ["CaseFileError", "ContainmentError", "DistrictError", "ExportError", "RuleError"]


class ContainmentError(ValueError):
    """Base class for every error this package raises on purpose."""


class DistrictError(ContainmentError):
    """A district folder or one of its files is missing or malformed."""


class CaseFileError(ContainmentError):
    """A case line list cannot be read at all (not a table, empty, wrong encoding, too large)."""


class RuleError(ContainmentError):
    """An unknown rule name or impossible rule parameters."""


class ExportError(ContainmentError):
    """Zones cannot be written in the requested format or place."""
