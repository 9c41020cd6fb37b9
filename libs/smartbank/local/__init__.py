"""The local stack and the command line: what runs smartbank on one machine."""
