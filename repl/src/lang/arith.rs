//! bash arithmetic (to be written).
