//! `hutong-qa`: the QA command-line tool.
use clap::{Parser, Subcommand};

mod demo;
mod scan;

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
    /// Decodes codes in image files and folders (table, or JSON lines with --json).
    Scan(scan::ScanArgs),
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Demo => demo::run().map(|()| std::process::ExitCode::SUCCESS),
        Cmd::Scan(args) => scan::run(args),
    }
}
