//! A tool server's background tasks (aft's BgTaskRegistry): each tool call
//! runs as a job with a timeout; finished tasks arrive once, on a
//! completion queue, with a short preview of their output.
//!
//! `cargo run --example aft`
use std::time::Duration;

use corral::kernel::{Cmd, JobOptions, Kernel, ProcessSpec};

fn task(call: &str, script: &str, timeout: Duration) -> ProcessSpec {
    let opts = JobOptions::new()
        .owner("tool-server")
        .label("call", call)
        .timeout(timeout);
    ProcessSpec::new(script)
        .pipe(Cmd::new("sh").arg("-c").arg(script))
        .options(opts)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kernel = Kernel::new()?;
    let server = kernel.scope("tool-server");
    // Subscribed before the tasks start: none is missed.
    let mut done = server.completions().preview_bytes(24);

    let (long, short) = (Duration::from_secs(30), Duration::from_millis(300));
    server.spawn_process(task("grep", "echo match one; echo match two", long))?;
    server.spawn_process(task("build", "seq 1 500; echo 'build ok'", long))?;
    server.spawn_process(task("hang", "echo waiting; exec sleep 1000", short))?;
    server.spawn_process(task("fail", "echo 'no such file' >&2; exit 2", long))?;

    let mut lines = Vec::new();
    for _ in 0..4 {
        let Some(c) = done.next().await else { break };
        let call = c.info.labels().get("call").cloned().unwrap_or_default();
        let cause = c.info.stop_cause().map_or("-", |c| c.as_str());
        let out = &c.stdout;
        let cut = if out.truncated { " (truncated)" } else { "" };
        lines.push(format!(
            "{call}: exit {:?}, cause {cause}, stdout {:?}{cut}, stderr {:?}",
            c.info.state.exit_status(),
            out.text,
            c.stderr.text,
        ));
    }
    // Completion order depends on timing; print them sorted.
    lines.sort();
    for l in lines {
        println!("{l}");
    }
    // Nothing is delivered twice.
    println!("again: {}", done.try_next().is_none());
    Ok(())
}
