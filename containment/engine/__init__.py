"""The computation core: rules, circles, zones, their figures and life cycle, in metres.

Pure functions and small records on numpy arrays and GeoDataFrames. Nothing here reads a file,
touches a database or imports streamlit; a :class:`~containment.engine.district.District` is
handed in, already loaded (:mod:`containment.io.district`).
"""

__all__: list[str] = []  # the modules are the API: import from them
