"""The feedback loop's framework-free core: state machines, weight, priority, importers,
pattern suggestions, the improvement specification template and verification."""
