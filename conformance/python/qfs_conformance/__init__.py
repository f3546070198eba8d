"""Independent Python port of docs/spec.md §1-§3 and pins P1-P4 (qfs-harmonic).

Written from the spec text, not from the TypeScript reference; conformance/vectors/ decides.
"""
