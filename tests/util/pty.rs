//! A pseudo-terminal harness (being written).
