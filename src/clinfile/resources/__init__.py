"""Pictures the window draws, its stylesheet and the fonts shipped with the app.

Loaded with importlib.resources. The fallback font draws the Chinese, Japanese and
Korean letters that the practice's computer may have no font for, in the PDFs and
in the window alike.
"""

FALLBACK_FONT = "DroidSansFallback.ttf"
