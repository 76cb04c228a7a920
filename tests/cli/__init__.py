"""The command line as a user meets it: real processes, their output and exit codes."""
