//! In-memory compute units: analog crossbars and the associative processor.
pub mod adc;
pub mod assoc;
pub mod crossbar;
pub mod kernel;
