"""Opening source files without ever following a link or reading outside the root."""
