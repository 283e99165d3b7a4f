//! Writing to standard output the Unix way: when the reader goes away (`silica presets |
//! head`), the program stops quietly instead of panicking, as if it had received SIGPIPE.
//! The macros `out!` and `outln!` are visible in every later `cmd` module (`#[macro_use]`).

use std::fmt;
use std::io::{ErrorKind, Write};

/// Writes `args` to standard output; exits with status 0 if the pipe is closed, and with
/// an error message and status 1 on any other write error.
pub fn write(args: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to standard output: {e}");
        std::process::exit(1);
    }
}

/// `print!` that stops quietly on a closed pipe.
macro_rules! out {
    ($($t:tt)*) => { $crate::cmd::out::write(format_args!($($t)*)) };
}

/// `println!` that stops quietly on a closed pipe.
macro_rules! outln {
    () => { $crate::cmd::out::write(format_args!("\n")) };
    ($($t:tt)*) => { $crate::cmd::out::write(format_args!("{}\n", format_args!($($t)*))) };
}
