"""Activities: all the I/O of a complaint (letters, the record). Each is a class built with its
dependencies and idempotent on a business key, so a retry never sends or writes twice."""
