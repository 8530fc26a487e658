//! The model-based test: random sequences of wallet operations, network faults and crashes of
//! both sides, drawn by proptest from a seed, executed against real processes, with the money
//! invariants checked after every step and once more after a final healthy `recover`.
//!
//! The model keeps only what the invariants need: the intents the clients journalled (to pick
//! refund/cancel/status targets) and every claim a client made. What is true is read from the
//! ledger and the journal files, never predicted, so concurrency and crashes need no model of
//! their own: whatever interleaving happened, the invariants must hold on what is on disk.

use super::files::{Journal, Ledger, TERMINAL_INTENT, TERMINAL_REFUND};
use super::invariants::{self, Claim, Violation};
use super::procs::{Clients, Run, Sandbox};
use super::proxy::{FaultProxy, Target};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::HashSet;
use std::time::Duration;

pub const WECHAT_CODE: &str = "https://payapp.weixin.qq.com/qr/AbCdEf";
pub const ALIPAY_CODE: &str = "https://qr.alipay.com/fkx12345";
/// A UnionPay dynamic EMVCo code (reserved tag 15) that fixes 23.72 CNY, made for these tests:
/// `hutong-qa identify --wallet wechat` names it unionpay, dynamic, 2372 fen, via the UnionPay
/// QR interconnect.
pub const UNIONPAY_DYNAMIC: &str = "00020101021215319156000014901234567890123456789520458125303156540523.725802CN5912QA TEST SHOP6007BEIJING6304E971";
pub const UNIONPAY_DYNAMIC_MINOR: i64 = 2372;

/// Merchant codes and the route that reaches each one's network, as the registry's wallet
/// profiles give them (`hutong-qa identify --wallet wechat|alipay`).
pub const CODES: [(&str, &str); 3] = [
    (WECHAT_CODE, "wechat_pay:direct"),
    (ALIPAY_CODE, "alipay:direct"),
    (UNIONPAY_DYNAMIC, "unionpay:unionpay_qr_interconnect"),
];
/// Payer codes (merchant mode): WeChat, Alipay.
pub const PAYER_CODES: [&str; 2] = ["134567890123456789", "2812345678901234"];

const PAY_SCENARIOS: [Option<&str>; 20] = [
    None,
    None,
    None,
    None,
    None,
    None,
    None,
    Some("user_paying;polls=1"),
    Some("user_paying_forever"),
    Some("paid_at_reverse"),
    Some("insufficient_funds"),
    Some("system_error_once"),
    Some("timeout_after_commit"),
    Some("reset_after_commit"),
    Some("reset_before_commit"),
    Some("bad_signature"),
    Some("stale_timestamp"),
    Some("duplicate_delivery"),
    Some("slow"),
    Some("user_paying;polls=3"),
];
const COLLECT_SCENARIOS: [Option<&str>; 6] = [
    None,
    None,
    Some("auth_code_invalid"),
    Some("auth_code_expired"),
    Some("user_paying;polls=1"),
    Some("reset_after_commit"),
];
const REFUND_SCENARIOS: [Option<&str>; 12] = [
    None,
    None,
    None,
    None,
    Some("refund_processing"),
    Some("system_error_once"),
    Some("timeout_after_commit"),
    Some("reset_after_commit"),
    Some("reset_before_commit"),
    Some("duplicate_delivery"),
    Some("slow"),
    Some("bad_signature"),
];
/// Client crash points (`HUTONG_QA_CRASH_AT`): right after each journalled step.
pub const PAY_POINTS: [&str; 4] = [
    "after_created",
    "after_submitting",
    "after_send",
    "after_reversing",
];
pub const REFUND_POINTS: [&str; 2] = ["after_refund_requested", "after_refund_send"];
/// Sandbox crash points (`HUTONG_SANDBOX_CRASH_AT`) on its write path. The first names the
/// third signed request of a pay process (register, quote, create): the create, verified and
/// not yet written.
pub const SANDBOX_POINTS: [&str; 11] = [
    "request:after_verify#3",
    "payment:before_commit",
    "payment:in_commit",
    "payment:after_commit",
    "collection:in_commit",
    "query:after_commit",
    "refund:before_commit",
    "refund:in_commit",
    "refund:after_commit",
    "reverse:in_commit",
    "reverse:after_commit",
];

/// When a client process dies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kill {
    Never,
    /// SIGKILL this many ms after it started, wherever it is.
    AfterMs(u64),
    /// SIGKILL when it freezes right after this journalled step.
    At(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundPart {
    Half,
    Rest,
    Cent,
    /// More than was paid: the client must refuse it before sending.
    TooMuch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// A signed create that charges an Alipay code on WeChat Pay (bypassing the client).
    WrongNetwork,
    /// A signed create that pays a dynamic code another amount than the one it fixes.
    WrongAmount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Pay {
        code: usize,
        /// A route of another network than the code's.
        wrong_route: bool,
        minor: i64,
        scenario: Option<&'static str>,
        kill: Kill,
    },
    Collect {
        payer: usize,
        minor: i64,
        scenario: Option<&'static str>,
        kill: Kill,
    },
    Refund {
        pick: usize,
        part: RefundPart,
        scenario: Option<&'static str>,
        kill: Kill,
    },
    Cancel {
        pick: usize,
        kill: Kill,
    },
    Status {
        pick: usize,
    },
    Recover {
        kill: Kill,
    },
    /// Client processes at once on the shared journal: pays, maybe a recover and a cancel.
    Burst {
        pays: Vec<(usize, i64, Option<&'static str>)>,
        recover: bool,
        cancel: Option<usize>,
    },
    /// Two refunds of "the rest" and a cancel of one payment, all at once: whatever wins, the
    /// refunds never exceed the capture and a partly refunded payment is never reversed.
    Race {
        pick: usize,
    },
    /// Random faults on this share of money calls and queries, refused connections on this
    /// share of connections, from now on.
    Network {
        fault_percent: u8,
        refuse_percent: u8,
    },
    /// SIGKILL the sandbox this long into a pay, then restart it on the same ledger.
    SandboxKill {
        after_ms: u64,
        scenario: Option<&'static str>,
    },
    /// Restart the sandbox armed to SIGKILL itself at a write-path step, drive an operation
    /// through that step, restart it clean.
    SandboxCrash {
        point: &'static str,
    },
    /// Send a request the switch already answered again, byte for byte.
    Replay {
        restart_first: bool,
    },
    /// Start (or stop) a second sandbox process on the same ledger; while it runs, requests
    /// alternate between the two and replays go to the one that did not answer first.
    Twin {
        on: bool,
    },
    Probe(Probe),
    RotateKey,
}

fn kill_strategy(points: &'static [&'static str]) -> impl Strategy<Value = Kill> {
    prop_oneof![
        6 => Just(Kill::Never),
        2 => (30u64..700).prop_map(Kill::AfterMs),
        2 => prop::sample::select(points).prop_map(Kill::At),
    ]
}

fn pay_strategy() -> impl Strategy<Value = Op> {
    (
        0..CODES.len(),
        prop::bool::weighted(0.1),
        100i64..50_000,
        prop::sample::select(&PAY_SCENARIOS[..]),
        kill_strategy(&PAY_POINTS),
    )
        .prop_map(|(code, wrong_route, minor, scenario, kill)| Op::Pay {
            code,
            wrong_route,
            minor,
            scenario,
            kill,
        })
}

pub fn op_strategy() -> impl Strategy<Value = Op> {
    let burst_pay = (
        0..2usize,
        100i64..50_000,
        prop::sample::select(&PAY_SCENARIOS[..8]),
    );
    prop_oneof![
        10 => pay_strategy(),
        2 => (0..2usize, 100i64..50_000, prop::sample::select(&COLLECT_SCENARIOS[..]), kill_strategy(&PAY_POINTS))
            .prop_map(|(payer, minor, scenario, kill)| Op::Collect { payer, minor, scenario, kill }),
        5 => (any::<usize>(), prop::sample::select(vec![RefundPart::Half, RefundPart::Rest, RefundPart::Cent, RefundPart::TooMuch]),
              prop::sample::select(&REFUND_SCENARIOS[..]), kill_strategy(&REFUND_POINTS))
            .prop_map(|(pick, part, scenario, kill)| Op::Refund { pick, part, scenario, kill }),
        2 => (any::<usize>(), kill_strategy(&["after_reversing"])).prop_map(|(pick, kill)| Op::Cancel { pick, kill }),
        2 => any::<usize>().prop_map(|pick| Op::Status { pick }),
        2 => kill_strategy(&["after_reversing", "after_refund_send"]).prop_map(|kill| Op::Recover { kill }),
        3 => (prop::collection::vec(burst_pay, 2..4), any::<bool>(), prop::option::weighted(0.3, any::<usize>()))
            .prop_map(|(pays, recover, cancel)| Op::Burst { pays, recover, cancel }),
        2 => (prop::sample::select(vec![0u8, 0, 10, 25]), prop::sample::select(vec![0u8, 0, 5]))
            .prop_map(|(fault_percent, refuse_percent)| Op::Network { fault_percent, refuse_percent }),
        1 => (50u64..900, prop::sample::select(&PAY_SCENARIOS[..8]))
            .prop_map(|(after_ms, scenario)| Op::SandboxKill { after_ms, scenario }),
        2 => prop::sample::select(&SANDBOX_POINTS[..]).prop_map(|point| Op::SandboxCrash { point }),
        1 => any::<bool>().prop_map(|restart_first| Op::Replay { restart_first }),
        1 => prop::sample::select(vec![Probe::WrongNetwork, Probe::WrongAmount]).prop_map(Op::Probe),
        1 => Just(Op::RotateKey),
        2 => any::<usize>().prop_map(|pick| Op::Race { pick }),
        1 => any::<bool>().prop_map(|on| Op::Twin { on }),
    ]
}

/// The operations of one case, reproducible from its seed. The first step always opens the
/// brand-new journal from several processes at once.
pub fn plan(seed: u64, steps: usize) -> Vec<Op> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    );
    let first = Op::Burst {
        pays: vec![
            (0, 1200, None),
            (1, 2500, Some("user_paying;polls=2")),
            (0, 800, None),
        ],
        recover: true,
        cancel: None,
    };
    // A third of the cases run on a calm network, the rest with faults from the start.
    let network = Op::Network {
        fault_percent: [0, 10, 20][(seed % 3) as usize],
        refuse_percent: [0, 3][((seed >> 8) % 2) as usize],
    };
    let rest = prop::collection::vec(op_strategy(), steps.saturating_sub(2))
        .new_tree(&mut runner)
        .expect("op strategy")
        .current();
    [first, network].into_iter().chain(rest).collect()
}

/// Counts over a run of cases (the soak summary).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Totals {
    pub cases: u64,
    pub steps: u64,
    pub client_runs: u64,
    pub client_kills: u64,
    pub sandbox_kills: u64,
    pub sandbox_crash_points: u64,
    pub faults: u64,
    pub refused_connections: u64,
    pub replays: u64,
    pub probes: u64,
    /// Payments the ledger holds captured at the end of the cases, and refunds paid out: a
    /// run that moved no money proves nothing.
    pub captured: u64,
    pub refunds: u64,
    pub violations: u64,
}

impl Totals {
    pub fn add(&mut self, o: &Totals) {
        self.cases += o.cases;
        self.steps += o.steps;
        self.client_runs += o.client_runs;
        self.client_kills += o.client_kills;
        self.sandbox_kills += o.sandbox_kills;
        self.sandbox_crash_points += o.sandbox_crash_points;
        self.faults += o.faults;
        self.refused_connections += o.refused_connections;
        self.replays += o.replays;
        self.probes += o.probes;
        self.captured += o.captured;
        self.refunds += o.refunds;
        self.violations += o.violations;
    }

    pub fn line(&self) -> String {
        format!(
            "cases={} steps={} client_runs={} client_kills={} sandbox_kills={} sandbox_crash_points={} faults={} refused_connections={} replays={} probes={} captured={} refunds={} violations={}",
            self.cases, self.steps, self.client_runs, self.client_kills, self.sandbox_kills,
            self.sandbox_crash_points, self.faults, self.refused_connections, self.replays,
            self.probes, self.captured, self.refunds, self.violations
        )
    }
}

/// A violation with where it was seen.
#[derive(Debug, Clone)]
pub struct Found {
    pub seed: u64,
    pub step: usize,
    pub op: String,
    pub violation: Violation,
}

/// How a replayed request must be refused (protocol §2): its nonce was seen, or it is too old.
const REPLAY_REFUSALS: [&str; 2] = ["NONCE_REPLAYED", "TIMESTAMP_SKEW"];

/// The longest one client command may run (fast timings; faults cost a few request timeouts).
pub const CLIENT_LIMIT: Duration = Duration::from_secs(90);

/// One case: a sandbox, a proxy, a journal shared by its client processes.
pub struct Case {
    pub seed: u64,
    pub dir: tempfile::TempDir,
    pub sandbox: Sandbox,
    /// A second sandbox process on the same ledger (`Op::Twin`).
    pub twin: Option<Sandbox>,
    pub proxy: FaultProxy,
    pub clients: Clients,
    known: Vec<String>,
    foreign: HashSet<String>,
    claims: Vec<(usize, Claim)>,
    seen: HashSet<Violation>,
    pub found: Vec<Found>,
    pub totals: Totals,
    step: usize,
    op_text: String,
}

fn minor_text(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Case {
    pub fn new(seed: u64) -> Case {
        let dir = tempfile::Builder::new()
            .prefix("hutong-model-")
            .tempdir()
            .expect("case dir");
        let sandbox = Sandbox::start(dir.path(), None);
        let proxy = FaultProxy::start();
        proxy.set_upstream(Some((sandbox.addr(), sandbox.ca_pem())));
        let clients = Clients {
            config: dir.path().join("client.json"),
            journal: dir.path().join("journal.sqlite"),
            key_file: dir.path().join("device.p8"),
            request_timeout_ms: 1500,
        };
        clients.write_config(&proxy, &sandbox);
        let case = Case {
            seed,
            dir,
            sandbox,
            twin: None,
            proxy,
            clients,
            known: Vec::new(),
            foreign: HashSet::new(),
            claims: Vec::new(),
            seen: HashSet::new(),
            found: Vec::new(),
            totals: Totals {
                cases: 1,
                ..Default::default()
            },
            step: 0,
            op_text: "setup".into(),
        };
        // One device key for every process of the case, made and registered before the
        // shared journal exists (a second journal, so the first burst still creates that one).
        let warm = Clients {
            journal: case.dir.path().join("warm.sqlite"),
            ..case.clients.clone()
        };
        let run = warm.run(&args(&["recover"]), CLIENT_LIMIT);
        assert!(run.ok(), "warm-up failed: {}", run.stderr);
        case
    }

    fn record(&mut self, v: Violation) {
        if self.seen.insert(v.clone()) {
            self.totals.violations += 1;
            self.found.push(Found {
                seed: self.seed,
                step: self.step,
                op: self.op_text.clone(),
                violation: v,
            });
        }
    }

    pub fn ledger(&self) -> Ledger {
        Ledger::read(&self.sandbox.ledger).expect("ledger readable")
    }

    pub fn journal(&self) -> Journal {
        Journal::read(&self.clients.journal).expect("journal readable")
    }

    /// The intent the clients journalled last.
    pub fn last_intent(&self) -> Option<String> {
        self.known.last().cloned()
    }

    fn pick(&self, n: usize) -> Option<String> {
        (!self.known.is_empty()).then(|| self.known[n % self.known.len()].clone())
    }

    pub fn restart_sandbox(&mut self, crash_at: Option<&str>) {
        self.proxy.set_upstream(None);
        self.stop_twin();
        self.sandbox.restart(crash_at);
        self.proxy
            .set_upstream(Some((self.sandbox.addr(), self.sandbox.ca_pem())));
    }

    fn stop_twin(&mut self) {
        if let Some(mut t) = self.twin.take() {
            self.proxy.set_twin(None);
            t.kill();
            self.totals.sandbox_kills += 1;
        }
    }

    /// Starts a second sandbox on the ledger and lets it take every other request.
    pub fn start_twin(&mut self) {
        if self.twin.is_none() {
            let twin = Sandbox::start_on(&self.sandbox.ledger, None);
            self.proxy.set_twin(Some((twin.addr(), twin.ca_pem())));
            self.twin = Some(twin);
        }
    }

    pub fn client(&mut self, cmd: Vec<String>, kill: Kill) -> Run {
        let crash_at = match kill {
            Kill::At(step) => Some(step),
            _ => None,
        };
        let running = self.clients.spawn(&cmd, crash_at);
        let run = match kill {
            Kill::Never => running.wait(CLIENT_LIMIT),
            Kill::AfterMs(ms) => running.kill_after(Duration::from_millis(ms)),
            Kill::At(_) => running.kill_at_crash_point(CLIENT_LIMIT),
        };
        self.absorb(&run);
        run
    }

    /// Learns intents, collects claims, counts kills; flags a client that had to be killed for
    /// running past its limit (invariant 5: every call reaches an answer).
    fn absorb(&mut self, run: &Run) {
        self.totals.client_runs += 1;
        if run.killed && !run.overran {
            self.totals.client_kills += 1;
        }
        if run.overran {
            self.record(invariants_v(
                5,
                format!(
                    "`{}` ran past {CLIENT_LIMIT:?} and was killed",
                    run.args.join(" ")
                ),
            ));
        }
        for id in run.new_intents() {
            if !self.known.contains(&id) {
                self.known.push(id);
            }
        }
        for c in invariants::claims_of(run) {
            self.claims.push((self.step, c));
        }
    }

    pub fn pay_args(
        &self,
        code: usize,
        wrong_route: bool,
        minor: i64,
        scenario: Option<&str>,
    ) -> Vec<String> {
        let (text, route) = CODES[code];
        let route = if wrong_route {
            CODES[(code + 1) % CODES.len()].1
        } else {
            route
        };
        let minor = if text == UNIONPAY_DYNAMIC && minor % 4 != 0 {
            UNIONPAY_DYNAMIC_MINOR
        } else {
            minor
        };
        let mut a = args(&["pay", "--code", text, "--route", route, "--amount"]);
        a.push(minor_text(minor));
        if let Some(s) = scenario {
            a.extend(["--scenario".into(), s.into()]);
        }
        a
    }

    fn refund_args(
        &self,
        pick: usize,
        part: RefundPart,
        scenario: Option<&str>,
    ) -> Option<Vec<String>> {
        let id = self.pick(pick)?;
        let j = self.journal();
        let paid = j.intents.get(&id).and_then(|i| i.paid).unwrap_or(0);
        let mut a = args(&["refund", &id]);
        let amount = match part {
            RefundPart::Half => Some((paid / 2).max(1)),
            RefundPart::Rest => None,
            RefundPart::Cent => Some(1),
            RefundPart::TooMuch => Some(paid + 100),
        };
        if let Some(m) = amount {
            a.extend(["--amount".into(), minor_text(m)]);
        }
        if let Some(s) = scenario {
            a.extend(["--scenario".into(), s.into()]);
        }
        Some(a)
    }

    /// Runs one operation, then checks what must hold at every instant.
    pub fn step(&mut self, op: &Op) {
        self.step_labelled(&format!("{op:?}"), op);
    }

    /// `step`, with the label its violations are reported under (e.g. the fault it ran with).
    pub fn step_labelled(&mut self, label: &str, op: &Op) {
        self.step += 1;
        self.totals.steps += 1;
        self.op_text = label.to_string();
        let claims_before = self.claims.len();
        self.exec(op);
        self.check_since(claims_before);
    }

    /// Names what runs next, for the violations it may cause (outside `step`).
    pub fn label(&mut self, text: &str) {
        self.op_text = text.to_string();
    }

    /// How many claims the clients made so far (for `check_since`).
    pub fn claim_count(&self) -> usize {
        self.claims.len()
    }

    /// Invariants 1-3 on the ledger now, and invariant 4 on the claims made since `claims_before`.
    pub fn check_since(&mut self, claims_before: usize) {
        let ledger = self.ledger();
        for v in invariants::check_ledger(&ledger) {
            self.record(v);
        }
        let fresh: Vec<Claim> = self.claims[claims_before..]
            .iter()
            .map(|(_, c)| c.clone())
            .collect();
        for c in fresh {
            if let Some(v) = invariants::check_claim(&c, &ledger) {
                self.record(v);
            }
        }
    }

    fn exec(&mut self, op: &Op) {
        match op {
            Op::Pay {
                code,
                wrong_route,
                minor,
                scenario,
                kill,
            } => {
                let a = self.pay_args(*code, *wrong_route, *minor, *scenario);
                self.client(a, *kill);
            }
            Op::Collect {
                payer,
                minor,
                scenario,
                kill,
            } => {
                let mut a = args(&["collect", "--payer-code", PAYER_CODES[*payer], "--amount"]);
                a.push(minor_text(*minor));
                if let Some(s) = scenario {
                    a.extend(["--scenario".into(), s.to_string()]);
                }
                self.client(a, *kill);
            }
            Op::Refund {
                pick,
                part,
                scenario,
                kill,
            } => {
                if let Some(a) = self.refund_args(*pick, *part, *scenario) {
                    self.client(a, *kill);
                }
            }
            Op::Cancel { pick, kill } => {
                if let Some(id) = self.pick(*pick) {
                    self.client(args(&["cancel", &id]), *kill);
                }
            }
            Op::Status { pick } => {
                if let Some(id) = self.pick(*pick) {
                    self.client(args(&["status", &id]), Kill::Never);
                }
            }
            Op::Recover { kill } => {
                self.client(args(&["recover"]), *kill);
            }
            Op::Burst {
                pays,
                recover,
                cancel,
            } => {
                let mut running = Vec::new();
                for (code, minor, scenario) in pays {
                    let a = self.pay_args(*code, false, *minor, *scenario);
                    running.push(self.clients.spawn(&a, None));
                }
                if *recover {
                    std::thread::sleep(Duration::from_millis(150));
                    running.push(self.clients.spawn(&args(&["recover"]), None));
                }
                if let Some(id) = cancel.and_then(|c| self.pick(c)) {
                    running.push(self.clients.spawn(&args(&["cancel", &id]), None));
                }
                for r in running {
                    let run = r.wait(CLIENT_LIMIT);
                    self.absorb(&run);
                }
            }
            Op::Race { pick } => {
                let mut paid: Vec<String> = self
                    .journal()
                    .intents
                    .values()
                    .filter(|i| i.state == "succeeded")
                    .map(|i| i.intent_id.clone())
                    .collect();
                paid.sort();
                if paid.is_empty() {
                    return;
                }
                let id = paid[*pick % paid.len()].clone();
                let running: Vec<_> = [
                    args(&["refund", &id]),
                    args(&["refund", &id]),
                    args(&["cancel", &id]),
                ]
                .iter()
                .map(|a| self.clients.spawn(a, None))
                .collect();
                for r in running {
                    let run = r.wait(CLIENT_LIMIT);
                    self.absorb(&run);
                }
            }
            Op::Network {
                fault_percent,
                refuse_percent,
            } => {
                let seed = self.seed ^ (self.step as u64).wrapping_mul(0x9E37_79B9);
                self.proxy
                    .random_faults(*fault_percent, Target::MoneyOrQuery, seed);
                self.proxy
                    .refuse_connections(*refuse_percent, seed.rotate_left(17));
            }
            Op::SandboxKill { after_ms, scenario } => {
                let a = self.pay_args(0, false, 1500, *scenario);
                let running = self.clients.spawn(&a, None);
                std::thread::sleep(Duration::from_millis(*after_ms));
                self.proxy.set_upstream(None);
                self.sandbox.kill();
                std::thread::sleep(Duration::from_millis(200));
                self.restart_sandbox(None);
                let run = running.wait(CLIENT_LIMIT);
                self.absorb(&run);
            }
            Op::SandboxCrash { point } => self.sandbox_crash(point),
            Op::Replay { restart_first } => self.replay(*restart_first),
            Op::Twin { on: true } => self.start_twin(),
            Op::Twin { on: false } => self.stop_twin(),
            Op::Probe(p) => self.probe(*p),
            Op::RotateKey => {
                let (status, body) =
                    self.sandbox
                        .admin(&self.proxy, "POST", "/sandbox/rotate-key", "{}");
                assert_eq!(status, 200, "rotate-key: {body}");
            }
        }
    }

    fn sandbox_crash(&mut self, point: &'static str) {
        self.restart_sandbox(Some(point));
        let op = point.split(':').next().unwrap_or("");
        match op {
            // The create of a pay: "request:after_verify#3".
            "request" => {
                let a = self.pay_args(1, false, 1600, None);
                self.client(a, Kill::Never);
            }
            "refund" => {
                let target = self
                    .journal()
                    .intents
                    .values()
                    .find(|i| i.state == "succeeded" && i.paid.unwrap_or(0) > i.refunded)
                    .map(|i| i.intent_id.clone());
                if let Some(id) = target {
                    self.client(args(&["refund", &id, "--amount", "0.01"]), Kill::Never);
                }
            }
            "collection" => {
                self.client(
                    args(&[
                        "collect",
                        "--payer-code",
                        PAYER_CODES[0],
                        "--amount",
                        "3.00",
                    ]),
                    Kill::Never,
                );
            }
            "query" => {
                let a = self.pay_args(1, false, 1700, Some("user_paying;polls=1"));
                self.client(a, Kill::Never);
            }
            "reverse" => {
                let a = self.pay_args(1, false, 1800, Some("user_paying_forever"));
                self.client(a, Kill::Never);
            }
            _ => {
                let a = self.pay_args(0, false, 1900, None);
                self.client(a, Kill::Never);
            }
        }
        if self.sandbox.wait_dead(Duration::from_secs(2)) {
            self.totals.sandbox_crash_points += 1;
        }
        self.restart_sandbox(None);
    }

    fn replay(&mut self, restart_first: bool) {
        let Some(c) = self
            .proxy
            .captured()
            .into_iter()
            .rev()
            .find(|c| c.at.elapsed() < Duration::from_secs(200))
        else {
            return;
        };
        if restart_first {
            self.restart_sandbox(None);
        }
        self.totals.replays += 1;
        // With a twin running, every other replay goes to it: either process may have answered
        // first, and both must refuse.
        let to = match (&self.twin, self.totals.replays % 2) {
            (Some(t), 0) => t,
            _ => &self.sandbox,
        };
        let tls = super::wire::connector(to.ca_pem().as_bytes()).expect("sandbox cert");
        let addr = to.addr();
        let raw = super::wire::with_host(&c.raw, addr);
        let answer = self.proxy.block_on(super::wire::round_trip(
            addr,
            &tls,
            &raw,
            Duration::from_secs(10),
        ));
        if let Ok(m) = answer {
            let code = m
                .json()
                .and_then(|v| v["error"]["code"].as_str().map(str::to_string));
            let why = code.as_deref().unwrap_or("");
            if (200..300).contains(&m.status()) || !REPLAY_REFUSALS.contains(&why) {
                self.record(invariants_v(
                    6,
                    format!(
                        "replay of `{} {}` (first answered {}) answered {} {why} after {} sandbox starts",
                        c.method, c.target, c.status, m.status(), self.sandbox.starts
                    ),
                ));
            }
        }
    }

    fn probe(&mut self, p: Probe) {
        self.totals.probes += 1;
        let Ok(der) = std::fs::read(&self.clients.key_file) else {
            return;
        };
        let Ok(tmp) = hutong_core::sign::SoftwareSigner::from_pkcs8("probe", &der) else {
            return;
        };
        let hex: String = hutong_core::sign::Signer::public_key(&tmp)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let signer =
            hutong_core::sign::SoftwareSigner::from_pkcs8(format!("dev-{}", &hex[2..18]), &der)
                .expect("key");
        let intent_id = hutong_core::flow::new_uuid_v4().expect("uuid");
        let (code, network, route, amount, payable) = match p {
            Probe::WrongNetwork => (
                ALIPAY_CODE,
                "wechat_pay",
                "wechat_pay:interconnect",
                1000,
                900,
            ),
            Probe::WrongAmount => (
                UNIONPAY_DYNAMIC,
                "unionpay",
                "unionpay:unionpay_qr_interconnect",
                5000,
                5000,
            ),
        };
        let body = serde_json::json!({
            "intent_id": intent_id, "out_trade_no": hutong_core::flow::out_trade_no_for(&intent_id),
            "merchant_code": code, "network": network,
            "amount": {"minor": amount, "currency": "CNY"},
            "confirmed_payable": {"minor": payable, "currency": "CNY"},
            "funding_source_id": "balance", "route_requested": route, "description": "probe"})
        .to_string();
        self.foreign.insert(intent_id.clone());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let addr = self.sandbox.addr();
        let raw = super::wire::signed_request(
            &signer,
            "POST",
            "/v1/payments",
            body.as_bytes(),
            Some(&intent_id),
            now,
        );
        let raw = super::wire::with_host(&raw, addr);
        let tls = super::wire::connector(self.sandbox.ca_pem().as_bytes()).expect("sandbox cert");
        if let Ok(m) = self.proxy.block_on(super::wire::round_trip(
            addr,
            &tls,
            &raw,
            Duration::from_secs(10),
        )) {
            let (n, what, refusals) = match p {
                Probe::WrongNetwork => (
                    1,
                    "an Alipay code charged on WeChat Pay",
                    &["NETWORK_MISMATCH", "ROUTE_NOT_SUPPORTED"][..],
                ),
                Probe::WrongAmount => (
                    2,
                    "a 23.72 CNY dynamic code paid 50.00",
                    &["AMOUNT_MISMATCH"][..],
                ),
            };
            if (200..300).contains(&m.status()) {
                self.record(invariants_v(
                    n,
                    format!("the switch accepted a signed create for {what} ({intent_id})"),
                ));
                return;
            }
            // Refused, but for the reason the probe is about? Another one (a bad signature, a
            // payable mismatch) would mean the probe itself is wrong and proves nothing.
            let code = m
                .json()
                .and_then(|v| v["error"]["code"].as_str().map(str::to_string));
            assert!(
                code.as_deref().is_some_and(|c| refusals.contains(&c)),
                "probe for {what} refused with {} {code:?}, not one of {refusals:?}",
                m.status()
            );
        }
    }

    /// The end of a case: a quiet network, a running sandbox, `recover` until nothing is open
    /// (at most three rounds), then invariants 4 and 5 between the journal and the ledger.
    pub fn settle(&mut self) {
        self.step += 1;
        self.op_text = "final recover".into();
        let stats = self.proxy.stats();
        self.totals.faults = stats.faults;
        self.totals.refused_connections = stats.refused_connections;
        self.totals.sandbox_kills = u64::from(self.sandbox.kills);
        self.proxy.calm();
        if !self.sandbox.alive() {
            self.restart_sandbox(None);
        }
        for _ in 0..3 {
            self.client(args(&["recover"]), Kill::Never);
            let j = self.journal();
            let open = j
                .intents
                .values()
                .any(|i| !TERMINAL_INTENT.contains(&i.state.as_str()))
                || j.refunds
                    .values()
                    .any(|r| !TERMINAL_REFUND.contains(&r.state.as_str()));
            if !open {
                break;
            }
        }
        let ledger = self.ledger();
        let journal = self.journal();
        self.totals.captured = ledger.captures.len() as u64;
        self.totals.refunds = ledger
            .refunds
            .values()
            .filter(|r| r.state == "succeeded")
            .count() as u64;
        let mut found = invariants::check_ledger(&ledger);
        found.extend(invariants::check_settled(&journal, &ledger, &self.foreign));
        // Every claim again, against the final ledger: what was true when said stays true
        // (a "failed" payment never gets charged later, a closed refund never pays out).
        for (_, c) in self.claims.iter() {
            found.extend(invariants::check_claim(c, &ledger));
        }
        for v in found {
            self.record(v);
        }
        self.stop_twin();
        self.sandbox.stop();
        self.keep_files();
    }

    /// With `HUTONG_MODEL_KEEP` set, a case that found violations leaves a copy of its journal
    /// (with the transition history) and its ledger (with every exchange) for a post-mortem.
    fn keep_files(&self) {
        if self.found.is_empty() || std::env::var_os("HUTONG_MODEL_KEEP").is_none() {
            return;
        }
        let Ok(kept) = tempfile::Builder::new()
            .prefix(&format!("hutong-kept-{}-", self.seed))
            .tempdir()
        else {
            return;
        };
        let kept = kept.keep();
        for f in ["journal.sqlite", "ledger.sqlite"] {
            for ext in ["", "-wal", "-shm"] {
                let name = format!("{f}{ext}");
                let _ = std::fs::copy(self.dir.path().join(&name), kept.join(&name));
            }
        }
        eprintln!(
            "seed {}: journal and ledger kept in {}",
            self.seed,
            kept.display()
        );
    }
}

fn invariants_v(invariant: u8, what: String) -> Violation {
    Violation { invariant, what }
}

/// Runs one whole case from its seed; returns what it found and its counts.
pub fn run_case(seed: u64, steps: usize) -> (Vec<Found>, Totals) {
    let ops = plan(seed, steps);
    let mut case = Case::new(seed);
    for op in &ops {
        case.step(op);
    }
    case.settle();
    (case.found, case.totals)
}
