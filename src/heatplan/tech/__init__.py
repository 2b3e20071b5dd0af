"""Pure physics and economics: functions of arrays, no I/O, nothing of the project."""
