"""The practice manager's area: the view and one module for each tab."""
