"""From map to field: centres and beds, checkpoints, survey sectors, allocation, home
quarantine, the meeting's figures and the public zone list — computed, not read or drawn.

Built on :mod:`containment.engine`; files are read in :mod:`containment.io` and pages drawn in
:mod:`containment.render`.
"""

__all__: list[str] = []  # the modules are the API: import from them
