//! Interactive tests in a real PTY (being written).
