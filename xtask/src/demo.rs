//! `cargo xtask demo`: the collector on SQLite, the demo host and the admin, with their URLs; runs
//! until Ctrl-C and stops the servers on the way out.

use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::shell::{self, cargo, target_dir, workspace_root};
use crate::widget_build;

/// Where the demo keeps its database (ignored by git).
const DEMO_DATA_DIR: &str = ".waymark";
const DEMO_DATABASE_URL: &str = "sqlite://.waymark/demo.db?mode=rwc";
const COLLECTOR_PORT: u16 = 8787;
const HOST_PORT: u16 = 3000;
const ADMIN_PORT: u16 = 3001;
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The demo's servers; killed when dropped, however the demo ends.
struct DemoServers {
    children: Vec<(&'static str, Child)>,
}

impl DemoServers {
    fn spawn(&mut self, name: &'static str, mut command: Command) -> anyhow::Result<()> {
        eprintln!("$ {command:?}");
        let child = command
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        self.children.push((name, child));
        Ok(())
    }

    /// Fails when a server has exited.
    fn check_running(&mut self) -> anyhow::Result<()> {
        for (name, child) in &mut self.children {
            if let Some(status) = child.try_wait()? {
                bail!("{name} exited with {status}");
            }
        }
        Ok(())
    }
}

impl Drop for DemoServers {
    fn drop(&mut self) {
        for (name, child) in &mut self.children {
            eprintln!("demo: stopping {name}");
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn run() -> anyhow::Result<()> {
    widget_build::build(true)?;
    shell::run(cargo(&["build", "-p", "collector", "-p", "demo-app"]))?;
    for port in [COLLECTOR_PORT, HOST_PORT, ADMIN_PORT] {
        if accepts_connections(port) {
            bail!(
                "port {port} is already in use; stop whatever listens there (an earlier demo?) and run again"
            );
        }
    }
    std::fs::create_dir_all(workspace_root().join(DEMO_DATA_DIR))
        .context("creating the demo data directory")?;

    let (stop_sender, stop_receiver) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_sender.send(());
    })
    .context("installing the Ctrl-C handler")?;

    let binaries = target_dir().join("debug");
    let mut servers = DemoServers {
        children: Vec::new(),
    };
    let mut collector = Command::new(binaries.join("collector"));
    collector.current_dir(workspace_root()).args([
        "--database-url",
        DEMO_DATABASE_URL,
        "--widget-dir",
        &widget_build::dist_dir().to_string_lossy(),
    ]);
    servers.spawn("collector", collector)?;
    wait_until_listening(&mut servers, &[COLLECTOR_PORT])?;

    let mut demo_app = Command::new(binaries.join("demo-app"));
    demo_app.current_dir(workspace_root());
    servers.spawn("demo-app", demo_app)?;
    wait_until_listening(&mut servers, &[HOST_PORT, ADMIN_PORT])?;

    println!();
    println!("Waymark demo is running:");
    println!(
        "  host product (Tasklane): http://localhost:{HOST_PORT}/?user=ada   (a new `user` id sees the welcome tour again)"
    );
    println!(
        "  admin:                   http://localhost:{ADMIN_PORT}   (log in as admin@demo.test / waymark-demo)"
    );
    println!("  collector:               http://localhost:{COLLECTOR_PORT}");
    println!("Press Ctrl-C to stop.");

    loop {
        if stop_receiver
            .recv_timeout(Duration::from_millis(500))
            .is_ok()
        {
            eprintln!("demo: Ctrl-C received");
            return Ok(());
        }
        if let Err(error) = servers.check_running() {
            // Ctrl-C in a terminal reaches the servers too; a server that stopped for it is no error.
            if stop_receiver
                .recv_timeout(Duration::from_millis(500))
                .is_ok()
            {
                eprintln!("demo: Ctrl-C received");
                return Ok(());
            }
            return Err(error);
        }
    }
}

fn accepts_connections(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// Waits until every port accepts connections, failing if a server exits first.
fn wait_until_listening(servers: &mut DemoServers, ports: &[u16]) -> anyhow::Result<()> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while !ports.iter().all(|port| accepts_connections(*port)) {
        servers.check_running()?;
        if Instant::now() > deadline {
            bail!("nothing answered on ports {ports:?} within {STARTUP_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}
