//! The command line: which mode to run, with what.

use std::io::{self, IsTerminal, Write};
use std::num::NonZeroU64;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{ConfigError, DiscordConfig, LogFormat};
use crate::discord::{gateway, register};
use crate::ops::{reload, Operations};
use crate::{batch, config, console, conversation, http, Faq};

#[derive(Debug, Parser)]
#[command(
    name = "cspo-pspo-bot",
    version,
    about = "Answers questions about choosing between the CSPO and PSPO certifications.",
    long_about = "Answers questions about choosing between the CSPO and PSPO certifications.\n\n\
                  With no command: runs the Discord bot when DISCORD_TOKEN is set, and the local console otherwise."
)]
pub struct Cli {
    /// The knowledge folder.
    #[arg(
        long,
        global = true,
        env = "KNOWLEDGE_DIR",
        default_value = "knowledge"
    )]
    pub knowledge: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer questions: the ones given, or one per line from stdin.
    Ask {
        /// Print one JSON object per question; each QUESTION argument is a
        /// question of its own (quote each one).
        #[arg(long)]
        json: bool,
        /// Show how each question was read and scored, for tuning the
        /// vocabulary: each on its own, whatever came before it.
        #[arg(long, conflicts_with = "json")]
        explain: bool,
        /// Read the lines as one person's successive messages in one
        /// channel, so follow-ups ("and for cspo?") continue the last
        /// answer.
        #[arg(long)]
        conversation: bool,
        /// Read all the arguments as the words of one question
        /// (`ask --join does pspo expire`).
        #[arg(long)]
        join: bool,
        /// The questions, one per argument (quote each one:
        /// `ask "does pspo expire?" "what is cspo?"`). With none,
        /// questions are read from stdin, one per line.
        question: Vec<String>,
    },
    /// Validate the knowledge and print a summary.
    Check {
        /// Print the loaded knowledge as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Chat with the bot in this terminal.
    Console,
    /// Ask a running bot whether it is healthy: exit 0 when its /healthz
    /// answers 200 (for container health checks; no curl needed).
    Healthcheck {
        /// The URL to probe, http://HOST:PORT/PATH (default:
        /// http://$METRICS_ADDR/healthz).
        url: Option<String>,
    },
    /// The questions the bot could not answer, most asked first, and the
    /// topics people found least helpful.
    Gaps {
        /// Only what was logged this recently, e.g. 7d, 12h, 30m (not 0:
        /// leave it out to read everything).
        #[arg(long, value_parser = parse_window)]
        since: Option<std::time::Duration>,
        /// How many rows of each list (at least 1).
        #[arg(long, default_value_t = 20, value_parser = parse_rows)]
        top: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the Discord bot until SIGINT or SIGTERM (needs DISCORD_TOKEN).
    Run,
    /// Register the slash commands with Discord, replacing any old ones.
    ///
    /// Goes to DISCORD_GUILD_ID when set (instant, for development), and
    /// globally otherwise. Needs DISCORD_TOKEN and DISCORD_APPLICATION_ID.
    Register {
        /// Register in this guild only, where commands appear at once.
        #[arg(long, value_name = "ID", conflicts_with = "global")]
        guild: Option<NonZeroU64>,
        /// Register globally even when DISCORD_GUILD_ID is set.
        #[arg(long)]
        global: bool,
    },
    /// Serve Discord's HTTP interactions endpoint (needs DISCORD_PUBLIC_KEY).
    ServeHttp {
        /// The address to listen on; port 0 picks a free one.
        #[arg(long, env = "HTTP_ADDR", default_value = config::DEFAULT_HTTP_ADDR)]
        addr: String,
    },
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    // A missing .env is normal; a broken one is worth a warning.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("warning: .env not loaded: {e}");
        }
    }
    let cli = Cli::parse();
    let checking = matches!(cli.command, Some(Command::Check { .. }));
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`check --json | head`): nothing is wrong,
        // and there is no one left to tell.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            // A supervisor (systemd's RestartPreventExitStatus, say) need
            // not restart what only a changed setting or file can fix;
            // `check` just reports what it found.
            if !checking && is_configuration(&e) {
                ExitCode::from(EX_CONFIG)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// sysexits.h's "configuration error".
pub const EX_CONFIG: u8 = 78;

/// The knowledge folder does not load: every problem, as `file:line:col`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidKnowledge(String);

/// Whether `e` is a setting or the knowledge, not a failure of the moment.
fn is_configuration(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.is::<config::ConfigError>() || c.is::<InvalidKnowledge>())
}

/// Whether `e` comes from writing to a pipe whose reader has closed it.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == io::ErrorKind::BrokenPipe)
    })
}

fn load(dir: &std::path::Path) -> anyhow::Result<Faq> {
    if let Some(problem) = crate::knowledge::folder_problem(dir) {
        return Err(anyhow::Error::new(InvalidKnowledge(problem)));
    }
    Faq::load(dir).map_err(|problems| {
        let count = problems.0.len();
        anyhow::Error::new(InvalidKnowledge(format!(
            "{problems}\nthe knowledge in {} has {count} problem{}",
            dir.display(),
            if count == 1 { "" } else { "s" }
        )))
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Some(Command::Ask {
            json,
            explain,
            conversation,
            join,
            question,
        }) => {
            let session = if conversation {
                conversation::Session::conversation()
            } else {
                conversation::Session::independent()
            };
            let faq = load(&cli.knowledge)?;
            let format = if json {
                batch::Format::Json
            } else if explain {
                batch::Format::Explained
            } else {
                batch::Format::Text
            };
            if question.is_empty() {
                let stdin = io::stdin();
                if std::io::IsTerminal::is_terminal(&stdin) {
                    eprintln!("Reading questions from the terminal, one per line; Ctrl-D ends. (`ask \"does pspo expire?\"` answers one; `console` chats.)");
                }
                let mut input = stdin.lock();
                batch::answer_lines(
                    &faq,
                    &session,
                    &mut input,
                    format,
                    &mut out,
                    &mut io::stderr(),
                )
                .context("reading questions from stdin")?;
            } else {
                for q in batch::questions_of(&question, !join) {
                    batch::answer(&faq, &session, &q, format, &mut out)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Check { json }) => {
            let faq = load(&cli.knowledge)?;
            if json {
                serde_json::to_writer_pretty(
                    &mut out,
                    &crate::knowledge::export::export(&faq.knowledge),
                )?;
                writeln!(out)?;
            } else {
                let k = &faq.knowledge;
                writeln!(
                    out,
                    "{}: ok — {} topics, {} certifications compared on {} dimensions, {} vocabulary concepts.\nSource: “{}” by {} (updated {}), {}",
                    cli.knowledge.display(),
                    k.topics.len(),
                    k.certifications.len(),
                    k.dimensions.len(),
                    k.vocabulary.concepts.len(),
                    k.article.title,
                    k.article.author,
                    k.article.updated,
                    k.article.url
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Console) => console_mode(&cli.knowledge, &mut out, false),
        Some(Command::Healthcheck { url }) => Ok(crate::healthcheck::run(url)),
        Some(Command::Gaps { since, top, json }) => {
            let faq = load(&cli.knowledge)?;
            let unanswered = config::unanswered_log()
                .context("UNANSWERED_LOG is off: there is no log to read")?;
            let feedback = config::feedback_log();
            let report =
                crate::ops::gaps::build(&faq, &unanswered, feedback.as_deref(), since, top)?;
            if json {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", crate::ops::gaps::render(&report))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Run) => run_bot(&cli.knowledge),
        Some(Command::Register { guild, global }) => {
            register(&cli.knowledge, guild, global, &mut out)
        }
        Some(Command::ServeHttp { addr }) => {
            // Log lines are written to stdout from the server's threads.
            drop(out);
            serve_http(&cli.knowledge, &addr)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            if config::discord_token().is_some() {
                return run_bot(&cli.knowledge);
            }
            console_mode(&cli.knowledge, &mut out, true)
        }
    }
}

/// `gaps --since`: a window of some length. Zero would cover nothing, and
/// is more likely a slip for "everything", which is no `--since` at all.
fn parse_window(text: &str) -> Result<Duration, String> {
    let window = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if window.is_zero() {
        return Err("a window of 0 holds nothing; give a length such as 7d or 12h, or leave --since out to read everything".into());
    }
    Ok(window)
}

/// `gaps --top`: how many rows; zero would print an empty report.
fn parse_rows(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("0 rows would show nothing; give at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("{e}; give a number of rows such as 20")),
    }
}

/// Log lines go to stderr: text for people, `LOG_FORMAT=json` for
/// machines, filtered by `RUST_LOG`. serenity's own chatter starts at warn.
/// The log lines shown when RUST_LOG does not say.
const DEFAULT_LOG_FILTER: &str = "info,serenity=warn";

/// `RUST_LOG`'s filter, or `default` without one. An empty RUST_LOG (as
/// `.env.example` has it) counts as unset, as every empty setting does:
/// read as a filter, it would silence everything.
fn log_filter(default: &str) -> Result<tracing_subscriber::EnvFilter, ConfigError> {
    match config::var("RUST_LOG") {
        Some(directives) => {
            tracing_subscriber::EnvFilter::try_new(&directives).map_err(|_| ConfigError::Invalid {
                name: "RUST_LOG",
                value: directives,
                expected: "a log filter, such as info or debug,serenity=info",
            })
        }
        None => Ok(tracing_subscriber::EnvFilter::new(default)),
    }
}

fn init_logging() -> anyhow::Result<()> {
    let format = config::log_format()?;
    let filter = log_filter(DEFAULT_LOG_FILTER)?;
    // Colours only for a terminal, never into a log file.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(io::stderr().is_terminal())
        .with_writer(io::stderr);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("could not start logging: {e}"))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn run_bot(knowledge: &std::path::Path) -> anyhow::Result<ExitCode> {
    init_logging()?;
    let config = DiscordConfig::from_env()?;
    let ops = Operations::from_env()?;
    let runtime = runtime()?;
    let result = runtime.block_on(async {
        // Listening for edits and SIGHUP before the first read, so none is
        // missed (or, for SIGHUP, ends the process).
        let reloader = reload::Reloader::prepare(knowledge.to_path_buf());
        let faq = reload::shared(load(knowledge)?);
        gateway::run(config, faq, ops, reloader)
            .await
            .map_err(anyhow::Error::from)
    });
    // Whatever is still running (a slow request, a closing socket) must
    // not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result?;
    Ok(ExitCode::SUCCESS)
}

fn register(
    knowledge: &std::path::Path,
    guild: Option<NonZeroU64>,
    global: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    init_logging()?;
    let config = DiscordConfig::from_env()?;
    let faq = load(knowledge)?;
    let guild = if global {
        None
    } else {
        guild.or(config.guild_id)
    };
    let runtime = runtime()?;
    let count = runtime.block_on(gateway::register_only(&config, &faq, guild))?;
    let names: Vec<&str> = crate::commands::slash_commands()
        .map(|c| c.name())
        .collect();
    let names = format!(
        "/{} and “{}” on messages",
        names.join(", /"),
        crate::commands::ANSWER_MESSAGE
    );
    match guild {
        Some(g) => writeln!(out, "Registered {count} commands in guild {g}: {names}. They appear at once.")?,
        None => writeln!(out, "Registered {count} commands globally: {names}. Discord may take a few minutes to show them everywhere.")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn console_mode(
    dir: &std::path::Path,
    out: &mut dyn Write,
    notice: bool,
) -> anyhow::Result<ExitCode> {
    let faq = load(dir)?;
    if notice {
        eprintln!("DISCORD_TOKEN is not set, so this is the local console. To connect to Discord, set DISCORD_TOKEN (see .env.example) and run again.");
    }
    let ops = Operations::from_env()?;
    let stdin = io::stdin();
    console::run(&faq, ops.unanswered.as_ref(), &mut stdin.lock(), out)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the HTTP interactions endpoint until SIGINT or SIGTERM.
fn serve_http(dir: &std::path::Path, addr: &str) -> anyhow::Result<()> {
    // Settings first: a missing key should stop us before anything else.
    let settings = config::HttpConfig::from_env(addr)?;
    // Dropped last, after the runtime, so every line is written.
    let _logs = init_http_logging()?;
    // After the logging, which must be up to tell that a log path is
    // refused.
    let ops = Operations::from_env()?;
    let runtime = runtime()?;
    runtime.block_on(async move {
        // Listening for edits and SIGHUP before the first read, so none is
        // missed (or, for SIGHUP, ends the process).
        let reloader = reload::Reloader::prepare(dir.to_path_buf());
        let faq = reload::shared(load(dir)?);
        let listener = tokio::net::TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("cannot listen on {}", settings.addr))?;
        let bound = listener.local_addr().context("reading the bound address")?;
        let shutdown = http::server::shutdown_signal().context("installing the signal handlers")?;
        // Commands changed by a reload are registered again when the
        // token and application id are set; otherwise the log says what
        // to run.
        let (reloads, changed) = register::watch_commands(reloader, faq.clone());
        let _reloads = match registrar()? {
            Some((http, guild)) => reloads.also(tokio::spawn(register::register_on_change(
                changed,
                faq.clone(),
                http,
                guild,
            ))),
            None => reloads.also(tokio::spawn(register::warn_on_change(changed))),
        };
        let _reloads = _reloads.also(tokio::spawn(crate::ops::report::refresh(
            faq.clone(),
            ops.log_paths.clone(),
            ops.report.clone(),
        )));
        let limits = settings.limits;
        tracing::info!(
            topics = faq.load().knowledge.topics.len(),
            max_connections = limits.max_connections,
            head_timeout = ?limits.head_timeout,
            body_timeout = ?limits.body_timeout,
            idle_timeout = ?limits.idle_timeout,
            "listening on {bound}; POST /interactions, GET /healthz, GET /metrics"
        );
        let webhooks = crate::discord::webhooks::InteractionWebhooks::new(
            &settings.api_base,
            settings.rest_timeout,
        )
        .context("building the client for Discord's API")?;
        let state = http::server::AppState::new(faq, ops, settings.public_key, webhooks);
        http::server::serve(listener, state, limits, shutdown)
            .await
            .context("serving HTTP")?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// What `serve-http` registers changed commands with, if it can: the
/// REST client and the guild (from `DISCORD_GUILD_ID`), when the token and
/// the application id are both set.
fn registrar() -> anyhow::Result<Option<(Arc<serenity::all::Http>, Option<serenity::all::GuildId>)>>
{
    if config::discord_token().is_none() {
        return Ok(None);
    }
    let config = DiscordConfig::from_env()?;
    if config.application_id.is_none() {
        tracing::warn!("DISCORD_TOKEN is set without DISCORD_APPLICATION_ID, so commands changed by a reload are not registered");
        return Ok(None);
    }
    Ok(Some((
        Arc::new(gateway::http(&config)),
        config.guild_id.map(serenity::all::GuildId::from),
    )))
}

/// Log lines to stdout: text by default, one JSON object per line with
/// `LOG_FORMAT=json`; the level comes from `RUST_LOG` (default `info`).
/// Lines are written in batches by a background thread (see
/// [`http::log_writer`]); keep the guard until the end.
fn init_http_logging() -> anyhow::Result<http::log_writer::FlushGuard> {
    let format = config::log_format()?;
    let filter = log_filter("info")?;
    let (writer, guard) =
        http::log_writer::BatchedStdout::start().context("starting the log writer")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(io::stdout().is_terminal());
    let installed = match format {
        config::LogFormat::Text => builder.try_init(),
        config::LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))?;
    Ok(guard)
}
