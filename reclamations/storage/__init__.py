"""Where documents' files live: a folder by default, S3-compatible object storage in
production, behind one small interface."""
