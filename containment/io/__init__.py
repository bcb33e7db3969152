"""Files in and out: line lists (CSV, XLSX, GeoJSON, GeoPackage) checked row by row, district
folders, road layers, people and home-quarantine lists, and the exports for the police.

Readers name the row, the field and what to do for every problem; writers replace a file only
once the new one is complete.
"""

__all__: list[str] = []  # the modules are the API: import from them
