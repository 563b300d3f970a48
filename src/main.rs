use std::process::ExitCode;

fn main() -> ExitCode {
    cspo_pspo_bot::cli::main()
}
