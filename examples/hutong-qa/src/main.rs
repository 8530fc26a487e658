//! `hutong-qa`: the QA command-line tool.
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "hutong-qa",
    version,
    about = "Hutong QA tool: scan, identify and pay payment codes"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs the end-to-end demo on embedded defaults (no outside service).
    Demo,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Demo => Ok(()),
    }
}
