//! Non-interactive tests through `corral -c` (being written).
