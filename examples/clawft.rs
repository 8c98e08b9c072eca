//! An agent supervisor (clawft's AgentSupervisor): agents restart by
//! policy with a budget and backoff, under CPU and memory limits, and
//! their output is kept in a log file besides the ring.
//!
//! `cargo run --example clawft`
use std::time::Duration;

use corral::kernel::{Cmd, JobOptions, Kernel, OutputFile, ProcessSpec, RestartPolicy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kernel = Kernel::new()?;
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("flaky.log");

    // A flaky agent: fails twice (counting its runs in a file), then succeeds.
    let count = dir.path().join("runs");
    let script = format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; echo run $n; [ $n -ge 3 ]",
        c = count.display()
    );
    let opts = JobOptions::new()
        .owner("supervisor")
        .cpu_limit(Duration::from_secs(5))
        .memory_limit(256 << 20)
        .output_file(OutputFile::Path(log.clone()), true);
    let spec = ProcessSpec::new("flaky agent")
        .pipe(Cmd::new("sh").arg("-c").arg(&script))
        .options(opts);
    let policy = RestartPolicy::on_failure()
        .budget(5, Duration::from_secs(60))
        .backoff(Duration::from_millis(10), Duration::from_millis(100));
    let flaky = kernel.spawn_restarting(spec, policy)?;
    let info = flaky.wait().await;
    println!(
        "flaky: {} after {} restarts, last exit {:?}",
        info.state.status_word(),
        info.restarts(),
        info.last_exit().and_then(|s| s.exit_status())
    );
    println!(
        "limits: cpu {:?}, memory {:?}",
        info.cpu_limit(),
        info.memory_limit()
    );
    println!("log: {:?}", std::fs::read_to_string(&log)?);

    // A crashing agent with a budget of two restarts gives up after three runs.
    let crash =
        ProcessSpec::new("crasher").pipe(Cmd::new("sh").arg("-c").arg("echo crash; exit 1"));
    let policy = RestartPolicy::always().budget(2, Duration::from_secs(60));
    let info = kernel.spawn_restarting(crash, policy)?.wait().await;
    println!(
        "crasher: exit {:?} after {} restarts",
        info.state.exit_status(),
        info.restarts()
    );
    Ok(())
}
