"""Sans-IO SyncML DS 1.1/1.2 engine: codecs, message model, server and client sessions."""
