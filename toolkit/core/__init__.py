"""Pure functions over typed tables: no I/O, no Excel, no globals."""
