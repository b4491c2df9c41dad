"""`make bench`: start a Tsubame server, seed it through the API and measure it (see run.py)."""
