"""Encryption of personal and medical data: the keyring, sealed fields and the payload codec."""
