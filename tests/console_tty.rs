//! The console on a real pseudo-terminal, as a person at a keyboard uses
//! it: a question typed and answered, Up to bring it back, Enter to ask it
//! again, Ctrl-D to leave. The terminal is made with `openpty` from libc,
//! which the tests already use, so no terminal crate is needed for it.
#![cfg(unix)]

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// The whole session may take this long; a console that hangs fails the
/// test instead of the test hanging.
const SESSION: Duration = Duration::from_secs(10);

const TITLE: &str = "== Does PSPO expire? ==";

/// A pseudo-terminal of 24 lines of 80 columns: the side the program
/// reads and writes, and ours.
fn pty() -> (OwnedFd, OwnedFd) {
    let mut ours = -1;
    let mut theirs = -1;
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors into the integers it is
    // given; the name and termios pointers may be null.
    let made = unsafe {
        libc::openpty(
            &mut ours,
            &mut theirs,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(made, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and belong to nobody else.
    unsafe { (OwnedFd::from_raw_fd(ours), OwnedFd::from_raw_fd(theirs)) }
}

/// The bot with `args` on the terminal's other side, in a session of its
/// own with that terminal as its controlling one, as a shell would start
/// it.
fn on_terminal(terminal: &OwnedFd, dir: &std::path::Path, args: &[&str], colour: bool) -> Child {
    let stdio = || Stdio::from(terminal.try_clone().expect("a copy of the terminal"));
    let mut cmd: Command = common::bot_in(dir);
    cmd.args(args)
        .env("TERM", "xterm-256color")
        .stdin(stdio())
        .stdout(stdio())
        .stderr(stdio());
    if colour {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn().expect("the console starts")
}

/// Everything the program writes, as it comes, from a thread that ends
/// when the terminal closes.
fn output_of(ours: &OwnedFd) -> Receiver<Vec<u8>> {
    let mut reader = File::from(ours.try_clone().expect("a copy of our side"));
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // Linux says EIO once the program's side is closed: the end.
        while let Ok(n @ 1..) = reader.read(&mut buf) {
            if send.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    receive
}

/// What the screen has received so far, read until `done` holds of it.
struct Screen {
    output: Receiver<Vec<u8>>,
    seen: String,
    deadline: Instant,
}

impl Screen {
    fn wait_for(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        while !done(&self.seen) {
            let left = self.deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => self.seen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!(
                    "waited in vain for {what}; the screen shows:\n{}",
                    self.seen
                ),
            }
        }
    }

    fn count(&self, text: &str) -> usize {
        self.seen.matches(text).count()
    }

    /// Waits for the prompt after the last time `text` was shown.
    fn wait_for_prompt_after(&mut self, text: &str) {
        self.wait_for("the prompt", |s| {
            s.rfind(text).is_some_and(|at| s[at..].contains("> "))
        });
    }
}

/// The bot on a new terminal of its own: the process, our keyboard, what
/// its screen shows, and the folder it runs in.
struct OnTerminal {
    child: Child,
    keyboard: File,
    screen: Screen,
    dir: tempfile::TempDir,
}

fn start_on_terminal(args: &[&str], colour: bool) -> OnTerminal {
    let dir = tempfile::tempdir().expect("a folder");
    let (ours, theirs) = pty();
    let child = on_terminal(&theirs, dir.path(), args, colour);
    drop(theirs);
    let keyboard = File::from(ours.try_clone().expect("a copy of our side"));
    let screen = Screen {
        output: output_of(&ours),
        seen: String::new(),
        deadline: Instant::now() + SESSION,
    };
    OnTerminal {
        child,
        keyboard,
        screen,
        dir,
    }
}

fn type_keys(terminal: &mut File, keys: &str) {
    terminal.write_all(keys.as_bytes()).expect("typed");
    terminal.flush().expect("typed");
}

#[test]
fn up_brings_back_the_last_question_and_enter_asks_it_again() {
    let OnTerminal {
        mut child,
        mut keyboard,
        mut screen,
        dir: _dir,
    } = start_on_terminal(&["console"], true);

    screen.wait_for_prompt_after("local console");
    type_keys(&mut keyboard, "does pspo expire?\r");
    screen.wait_for("the first answer", |s| s.matches(TITLE).count() == 1);
    screen.wait_for_prompt_after(TITLE);
    type_keys(&mut keyboard, "\x1b[A");
    // The question shows again on the prompt line before it is sent.
    let before = screen.count("does pspo expire?");
    screen.wait_for("the question brought back", |s| {
        s.matches("does pspo expire?").count() > before
    });
    type_keys(&mut keyboard, "\r");
    screen.wait_for("the second answer", |s| s.matches(TITLE).count() == 2);
    screen.wait_for_prompt_after(TITLE);
    // Ctrl-D on an empty line leaves.
    type_keys(&mut keyboard, "\x04");

    let status = wait_for_exit(&mut child, screen.deadline);
    assert_eq!(screen.count(TITLE), 2, "{}", screen.seen);
    assert!(
        screen.seen.contains(&format!("\x1b[1m{TITLE}\x1b[0m")),
        "a terminal shows the title in bold:\n{}",
        screen.seen
    );
    assert!(status.success(), "{status:?}");
}

#[test]
fn no_color_keeps_the_terminal_plain() {
    let OnTerminal {
        mut child,
        mut keyboard,
        mut screen,
        dir: _dir,
    } = start_on_terminal(&["console"], false);
    screen.wait_for_prompt_after("local console");
    type_keys(&mut keyboard, "/compare\r");
    screen.wait_for_prompt_after("What comes next");
    type_keys(&mut keyboard, "/quit\r");
    let status = wait_for_exit(&mut child, screen.deadline);
    assert!(status.success(), "{status:?}");
    assert!(
        screen.seen.contains("== CSPO vs PSPO =="),
        "{}",
        screen.seen
    );
    for style in ["\x1b[1m", "\x1b[3m", "\x1b[36m"] {
        assert!(
            !screen.seen.contains(style),
            "{style:?} in:\n{}",
            screen.seen
        );
    }
    assert!(!screen.seen.contains("**"), "{}", screen.seen);
}

/// The program's exit status; it is killed if it outlives `deadline`.
fn wait_for_exit(child: &mut Child, deadline: Instant) -> std::process::ExitStatus {
    loop {
        if let Some(status) = child.try_wait().expect("waited") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the console did not leave in time");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ask_with_nothing_to_read_on_a_terminal_says_what_it_waits_for() {
    let OnTerminal {
        mut child,
        mut keyboard,
        mut screen,
        dir: _dir,
    } = start_on_terminal(&["ask"], false);
    // Before anything is typed, not a silent wait.
    screen.wait_for("the notice", |s| s.contains("one per line; Ctrl-D ends"));
    type_keys(&mut keyboard, "does pspo expire?\r");
    screen.wait_for("the answer", |s| s.contains(TITLE));
    type_keys(&mut keyboard, "\x04");
    let status = wait_for_exit(&mut child, screen.deadline);
    assert!(status.success(), "{status:?}");
    assert_eq!(screen.count(TITLE), 1, "{}", screen.seen);
}
