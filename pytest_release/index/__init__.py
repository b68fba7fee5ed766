"""Package indexes: names and URLs users give them and the simple API (``names``), the
embedded local pypiserver and remote indexes behind one interface (``local``).

May import: the base and ``target``.
"""
