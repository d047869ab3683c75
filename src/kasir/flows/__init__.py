"""Qt-free flows that a screen drives (floor 4): they call services and output, never Qt."""
