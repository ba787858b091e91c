"""sifbridge adapter for Acme MIS pupil exports (Acme MIS is invented for this example)."""

__version__ = "1.0.0"
