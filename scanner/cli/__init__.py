"""The command line, thin over the pipeline: ``app`` is the click group, one module per command.

``scanner/__main__.py`` is the ``sovscan`` program; it may answer an unchanged
scan from the replay cache (``replay``) before ``app`` and click are imported.
"""
