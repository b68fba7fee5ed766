"""The documentation site's sources; a package only so that the tests can import the
reference generator (``docs.reference_pages``)."""
