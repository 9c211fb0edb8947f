//! Child processes of the test world (collector, demo-app, chromedriver): each runs in its own
//! process group with its output in a log file, so a failing test can show what the process said
//! and teardown can kill the process together with everything it spawned (Chromium).

use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How many lines of a process log a failure report shows.
const LOG_LINES_IN_REPORTS: usize = 40;

/// A port on 127.0.0.1 nobody listens on right now.
pub fn free_local_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a free local port")?;
    Ok(listener.local_addr()?.port())
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
pub fn accepts_connections(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok()
}

/// A running child process that is killed (with its whole process group) when dropped.
#[derive(Debug)]
pub struct ManagedProcess {
    name: String,
    child: Option<Child>,
    log_path: PathBuf,
}

impl ManagedProcess {
    /// Starts `program` with `arguments`, writing its stdout and stderr to `log_path` (appended,
    /// so a restarted process keeps the earlier lines).
    pub fn spawn(
        name: &str,
        program: &Path,
        arguments: &[String],
        log_path: PathBuf,
    ) -> anyhow::Result<Self> {
        use std::os::unix::process::CommandExt;

        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening the {name} log {}", log_path.display()))?;
        let child = Command::new(program)
            .args(arguments)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {name} ({})", program.display()))?;
        Ok(ManagedProcess {
            name: name.to_string(),
            child: Some(child),
            log_path,
        })
    }

    /// The process name used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Everything the process has written so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last lines of the log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let start = lines.len().saturating_sub(LOG_LINES_IN_REPORTS);
        lines[start..].join("\n")
    }

    /// Fails when the process has exited, with its exit status and log.
    pub fn ensure_running(&mut self) -> anyhow::Result<()> {
        let Some(child) = self.child.as_mut() else {
            bail!("{} was stopped", self.name);
        };
        if let Some(status) = child.try_wait()? {
            bail!(
                "{} exited early with {status}; its log ends with:\n{}",
                self.name,
                self.log_tail()
            );
        }
        Ok(())
    }

    /// Waits until `ready` holds, failing early when the process exits and with its log on timeout.
    pub async fn wait_until_ready(
        &mut self,
        what: &str,
        timeout: Duration,
        mut ready: impl FnMut(&Self) -> bool,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            self.ensure_running()?;
            if ready(self) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "{} was not ready ({what}) after {timeout:?}; its log ends with:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills the process group at once (SIGKILL, as in a crash) and reaps the process.
    pub fn kill(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // The group id is the child's pid (process_group(0)); a negative pid names the group.
        let group = format!("-{}", child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for ManagedProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last lines of a process log, headed with its name, for reports on failed scenarios.
pub fn log_report(process: &ManagedProcess) -> String {
    format!(
        "----- {} log (last {LOG_LINES_IN_REPORTS} lines) -----\n{}",
        process.name(),
        process.log_tail()
    )
}
