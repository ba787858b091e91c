"""The generated JSON Schemas of the object types (see :mod:`sif_core.codec.schema`)."""
