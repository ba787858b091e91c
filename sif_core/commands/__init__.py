"""The built-in sub-commands of ``sif``, one module each."""
