"""Work that spans the record and the chat platforms: opening and joining incident channels, confirmations."""
