"""Printable files as PDF, made on the server: the meeting pack, the public zone list, the order
annexures and a sheet per zone.

:mod:`~containment.render.pdf.document` is the page (fonts embedded, shaped Hindi and English,
the header with the district, the date and SYNTHETIC when the store holds the training sample,
"page 3 of 12"), :mod:`~containment.render.pdf.tables` the tables that never cut a row,
:mod:`~containment.render.pdf.mapping` and :mod:`~containment.render.pdf.maps` the maps
(matplotlib, drawn offline with the vendored font), and one module per paper. Text is text:
a name goes onto the page as the characters it is, and nothing in it is read as markup.
"""

__all__: list[str] = []  # the modules are the API: import from them
