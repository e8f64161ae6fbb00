"""productize: keep an organisation's products and run them as products."""

__version__ = "0.1.0"
