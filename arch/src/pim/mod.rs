//! Processing near or in DRAM.
