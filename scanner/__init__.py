"""sovscan: is the data each resource holds allowed to live where it lives?"""

__version__ = "0.1.0"
