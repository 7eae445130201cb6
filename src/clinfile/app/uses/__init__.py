"""Uses of filed images beyond the record: the gate every export, print, share and PACS send passes.

It sits above both consent (the rules it applies) and filing (the images
as they stand, which it loads), so neither of those imports the other's
upper half.
"""
