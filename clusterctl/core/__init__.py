"""The core: what clusterctl does, free of the command line and of the screen."""
