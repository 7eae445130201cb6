"""A patient's photo record: looking back, comparing, correcting, finding earlier filings."""
