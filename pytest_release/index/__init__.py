"""Package indexes: the names and URLs users give them and the simple API (``names``), one
interface for uploading and listing (``package_index``), the embedded local pypiserver
(``local``), an index the user named (``remote``), and opening one by name (``opening``).

May import: the base and ``target``.
"""
