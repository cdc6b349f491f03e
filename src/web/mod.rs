//! Browser implementations of the core seams.
