"""sifbridge's framework: the SIF object model, codecs, the plugin host and the adapter SDK.

``sif_core`` knows no adapter and no server: adapters and the zone build on what it exports.
"""

__version__ = "0.1.0"
