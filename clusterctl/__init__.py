"""clusterctl: track the tasks that directives assign to agencies, and who is late."""

__version__ = "0.2.0"
