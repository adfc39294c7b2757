"""desk-tui: the front desk of salons, spas and clinics, in a terminal."""

__version__ = "0.1.0"
