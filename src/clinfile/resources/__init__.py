"""Pictures the window draws and its stylesheet, loaded with importlib.resources."""
