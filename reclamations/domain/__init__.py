"""The complaint rules as pure code: dates in, dates out. No clock, no I/O, no Temporal."""
