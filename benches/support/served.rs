//! `altitude serve` started on a folder with `--port 0`, for the serve
//! benchmark and the serve tests: the port it chose, its log, and a kill
//! when dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Served {
    child: Child,
    pub port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// Starts `binary serve DIR --port 0` and waits for its address.
    pub fn start(binary: &str, dir: &Path) -> Served {
        Served::start_with(binary, dir, &[])
    }

    /// Like [`Served::start`], with more arguments.
    pub fn start_with(binary: &str, dir: &Path, more: &[&str]) -> Served {
        let mut command = Command::new(binary);
        command.arg("serve").arg(dir);
        Served::spawn(command, more)
    }

    /// `binary serve --port 0` run in `dir`, as an author runs it in their
    /// playbook's folder: no path given.
    pub fn start_in(binary: &str, dir: &Path) -> Served {
        let mut command = Command::new(binary);
        command.arg("serve").current_dir(dir);
        Served::spawn(command, &[])
    }

    fn spawn(mut command: Command, more: &[&str]) -> Served {
        let mut child = command
            .args(["--port", "0"])
            .args(more)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("altitude serve starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Some(stderr) = child.stderr.take() {
            let sink = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Ok(mut lines) = sink.lock() {
                        lines.push(line);
                    }
                }
            });
        }
        let mut served = Served {
            child,
            port: 0,
            log,
        };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            let port = served.lines().iter().find_map(|l| {
                let rest = l.split("serving http://127.0.0.1:").nth(1)?;
                rest.split('/').next()?.parse::<u16>().ok()
            });
            if let Some(port) = port {
                served.port = port;
                return served;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("altitude serve did not start: {:?}", served.lines());
    }

    /// Everything it has printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
