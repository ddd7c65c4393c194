"""Companion: accounts, secure (.TEF) attachments, viewer, hand-off, out of office."""
