"""Edges: reading and writing files. Only this package (and the store) touches workbooks on disk."""
