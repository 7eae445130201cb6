"""Taking images into custody: drop folder, phone or USB, and files given by hand."""
