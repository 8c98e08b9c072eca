//! A process manager (systemg's DynamicSpawnManager): services start
//! workers under them, a spawn tree with limits the kernel enforces
//! before anything starts, cascading stops, and per-worker CPU limits.
//!
//! `cargo run --example systemg`
use std::time::Duration;

use corral::kernel::{
    Cmd, Error, JobOptions, Kernel, KernelConfig, OrphanPolicy, ProcessSpec, StopCause,
};

fn sh(script: &str, opts: JobOptions) -> ProcessSpec {
    ProcessSpec::new(script)
        .pipe(Cmd::new("sh").arg("-c").arg(script))
        .options(opts)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = KernelConfig::default().max_depth(2).max_children(2);
    let kernel = Kernel::with_config(config)?;
    // TERM ends the workers at once; the grace only bounds a TERM-ignorer.
    let grace = Duration::from_secs(5);

    let sleeper = |opts| sh("exec sleep 1000", opts);
    let service =
        kernel.spawn_process(sleeper(JobOptions::new().orphans(OrphanPolicy::Cascade)))?;
    let under = || JobOptions::new().parent(service.id());
    let w1 = kernel.spawn_process(sleeper(under()))?;
    let w2 = kernel.spawn_process(sleeper(under()))?;
    match kernel.spawn_process(sh("echo never", under())) {
        Err(Error::ChildrenLimit { limit, .. }) => println!("third worker refused: limit {limit}"),
        other => println!("unexpected: {other:?}"),
    }
    let helper = kernel.spawn_process(sleeper(JobOptions::new().parent(w1.id())))?;
    match kernel.spawn_process(sh("echo never", JobOptions::new().parent(helper.id()))) {
        Err(Error::DepthLimit { limit, .. }) => println!("too deep: limit {limit}"),
        other => println!("unexpected: {other:?}"),
    }
    let tree = kernel.subtree(service.id())?;
    println!("tree under the service: {} jobs", tree.len());

    // A runaway worker: one CPU second, then the kernel ends it.
    let cpu = JobOptions::new().cpu_limit(Duration::from_secs(1));
    let runaway = kernel.spawn_process(sh("while :; do :; done", cpu))?;
    let end = runaway.wait().await;
    let cause = end.stop_cause().map(StopCause::as_str);
    println!("runaway: cause {cause:?}");
    println!("runaway: cpu used {} ms", end.resources().cpu().as_millis());

    // Stopping the service stops its whole tree.
    kernel.terminate(service.id(), grace).await?;
    for (name, job) in [("worker 1", &w1), ("worker 2", &w2), ("helper", &helper)] {
        let info = job.wait().await;
        let cause = info.stop_cause().map(StopCause::as_str);
        println!("{name}: {}, cause {cause:?}", info.state.status_word());
    }
    Ok(())
}
