//! A coding agent's background processes, scoped per agent (koda's
//! BgRegistry): each agent sees, waits on and stops only its own jobs.
//!
//! `cargo run --example koda`
use std::time::Duration;

use corral::kernel::{Cmd, Error, Kernel, ProcessSpec};

fn sh(script: &str) -> ProcessSpec {
    ProcessSpec::new(script).pipe(Cmd::new("sh").arg("-c").arg(script))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kernel = Kernel::new()?;
    let alice = kernel.scope("agent-alice");
    let bob = kernel.scope("agent-bob");

    let build = alice.spawn_process(sh("echo building; echo built"))?;
    let server = alice.spawn_process(sh("echo serving; exec sleep 1000"))?;
    let tests = bob.spawn_process(sh("echo testing; exit 3"))?;

    // Each agent lists only its own background processes.
    println!(
        "alice has {} jobs, bob has {}",
        alice.list().len(),
        bob.list().len()
    );

    // Bob may not touch Alice's server: a precise error, and it keeps running.
    match bob.terminate(server.id(), Duration::from_millis(100)).await {
        Err(Error::Forbidden { .. }) => println!("bob -> alice's server: forbidden"),
        other => println!("unexpected: {other:?}"),
    }
    println!("server still running: {}", !server.state().is_finished());

    let done = alice.wait(build.id()).await?;
    let out = build.stdout().snapshot();
    println!(
        "build: {} {:?}",
        done.state.status_word(),
        String::from_utf8_lossy(&out.data).lines().last()
    );
    let done = bob.wait(tests.id()).await?;
    println!("tests: exit {:?}", done.state.exit_status());

    // The agent ends: stop all its jobs at once (idempotent).
    let hit = alice.terminate_all(Duration::from_secs(5)).await;
    let again = alice.terminate_all(Duration::from_secs(5)).await;
    println!("alice's session ended: stopped {hit}, then {again}");
    println!("server: {}", server.info().state.status_word());
    Ok(())
}
