//! One module per subcommand.

pub mod kernel;
