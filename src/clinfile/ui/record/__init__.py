"""The patient's photo record: the timeline, comparing pictures, correcting, today's filings."""
