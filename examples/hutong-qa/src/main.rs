//! `hutong-qa`: the QA command-line tool.
use clap::{Parser, Subcommand};

mod demo;
mod demo_pay;
mod files;
mod gen;
mod identify;
mod pay;
mod registry;
mod sandbox;
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
    /// Identifies a payment payload: network, presentation, amount, risk (and a wallet route).
    Identify {
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Read one JSON string per stdin line, write one JSON object per line.
        #[arg(long, conflicts_with = "payload")]
        jsonl: bool,
        /// The payer is about to pay: flag a payer's own pay code.
        #[arg(long)]
        expect_merchant: bool,
        /// Also answer whether this wallet profile can pay it (wechat, bestpay, qa_sample...).
        #[arg(long)]
        wallet: Option<String>,
        payload: Option<String>,
    },
    /// Renders a realistic test code (QR, or Code 128 for numeric pay codes) to a PNG.
    Gen {
        /// Read one JSON request per stdin line ({"network", "amount", "seed", "pay_code",
        /// "merchant_name", "merchant_city"}), write the payload and its identification per line;
        /// nothing is drawn.
        #[arg(long, conflicts_with_all = ["network", "out"])]
        jsonl: bool,
        /// wechat_pay, alipay, unionpay, ecny, bestpay, jd_pay, emvco_mpm, pix, promptpay, paynow, vietqr, qris, upi, bip21, epc_sct
        #[arg(long, required_unless_present = "jsonl")]
        network: Option<String>,
        /// Decimal amount in the network's currency (EMVCo, UPI, BIP21, EPC).
        #[arg(long)]
        amount: Option<String>,
        /// Draw the payer's numeric pay code (Code 128) instead of a merchant code.
        #[arg(long)]
        pay_code: bool,
        /// Seed for the random parts, so a code can be reproduced.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The merchant name written into a merchant code (EMVCo tag 59).
        #[arg(long)]
        merchant_name: Option<String>,
        /// The merchant city written into a merchant code (EMVCo tag 60).
        #[arg(long)]
        merchant_city: Option<String>,
        #[arg(long, default_value_t = 8)]
        module_px: u32,
        #[arg(long, required_unless_present = "jsonl")]
        out: Option<std::path::PathBuf>,
    },
    /// Runs the sandbox acquirer (HTTPS, own ledger, forced outcomes) until killed.
    Sandbox(sandbox::SandboxArgs),
    /// Signed registry bundles: keygen, sign, verify.
    #[command(subcommand)]
    Registry(registry::RegistryCmd),
    /// Payment flow: pay, collect, refund, cancel, status, recover.
    #[command(flatten)]
    Pay(Box<pay::PayCmd>),
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Demo => demo::run().map(|()| std::process::ExitCode::SUCCESS),
        Cmd::Scan(args) => scan::run(args),
        Cmd::Identify {
            json,
            jsonl,
            expect_merchant,
            wallet,
            payload,
        } => identify::run(identify::Options {
            json,
            jsonl,
            expect_merchant,
            wallet,
            payload,
        })
        .map(|()| std::process::ExitCode::SUCCESS),
        Cmd::Gen { jsonl: true, .. } => gen::run_jsonl().map(|()| std::process::ExitCode::SUCCESS),
        Cmd::Gen {
            network,
            amount,
            pay_code,
            seed,
            merchant_name,
            merchant_city,
            module_px,
            out,
            ..
        } => gen::run(gen::Options {
            // clap requires both unless --jsonl, which the arm above took.
            network: network.unwrap_or_default(),
            amount,
            pay_code,
            seed,
            names: gen::Names {
                merchant_name,
                merchant_city,
            },
            out: out.unwrap_or_default(),
            module_px,
        })
        .map(|()| std::process::ExitCode::SUCCESS),
        Cmd::Sandbox(args) => sandbox::run(args).map(|()| std::process::ExitCode::SUCCESS),
        Cmd::Registry(cmd) => registry::run(cmd),
        Cmd::Pay(cmd) => pay::run(*cmd).map(|()| std::process::ExitCode::SUCCESS),
    }
}
