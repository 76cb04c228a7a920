"""The content format: what a case file may say, what check reports, what reaches the notes."""
