"""Complaints by email (issue 27): messages read from a mailbox over IMAP (imap.py) or handed
over by the insurer's mail server over SMTP or LMTP (receiver.py), each read (message.py),
taken once by its business key (ledger.py) and brought through the one door
(service/mail.py) by the mail gateway's principal (intake.py)."""
