//! The kernel's side of supervision (see [`crate::supervise`]): a new
//! job's supervision data and limits checked before anything starts, the
//! lineage index, timeouts, cascades and owner filters.

use std::collections::{BTreeSet, VecDeque};

use tokio::time::Instant;

use super::*;
use crate::supervise::resources::{self, OutputTarget};
use crate::supervise::{request_stop, Meta, OrphanPolicy, StopCause};

/// Who started whom, for the jobs that name a parent.
#[derive(Default)]
pub(super) struct Lineage {
    /// Children by parent, in spawn order (a child being spawned included).
    kids: HashMap<JobId, Vec<JobId>>,
    parent_of: HashMap<JobId, JobId>,
    /// When each parent's recent children were started (spawn rate).
    spawns: HashMap<JobId, VecDeque<Instant>>,
    /// Jobs by owner, and by label key then value (for listing one
    /// owner's or one label's jobs without a scan of the table).
    by_owner: HashMap<Arc<str>, BTreeSet<JobId>>,
    by_label: HashMap<String, HashMap<String, BTreeSet<JobId>>>,
    /// What a job is indexed under, to take it out again.
    tags: HashMap<JobId, Tags>,
}

/// A job's owner and labels, as indexed.
struct Tags {
    owner: Option<Arc<str>>,
    labels: Vec<(String, String)>,
}

impl Inner {
    /// The supervision data a job spawned with `options` (and, for a
    /// process job, `spec`'s directory and environment) gets, `None` when
    /// it uses none; or why it may not start. A job with a parent is
    /// entered in the lineage index at once (so limits count it while it
    /// is being spawned): [`unlink`](Self::unlink) it if the spawn fails.
    ///
    /// Inline: a job that uses nothing (the common case) pays a few compares.
    #[inline]
    pub(super) fn meta_for(
        &self,
        options: &JobOptions,
        id: JobId,
        spec: Option<&ProcessSpec>,
    ) -> Result<Option<Meta>> {
        let given_env = spec.is_some_and(|s| s.cwd.is_some() || !s.env.is_empty() || s.env_clear);
        if options.parent.is_none()
            && options.owner.is_none()
            && options.labels.is_empty()
            && options.timeout.is_none()
            && self.config.default_timeout.is_none()
            && options.orphans == OrphanPolicy::Leave
            && !options.quiet
            && options.reminder.is_none()
            && self.config.reminder.is_none()
            && options.restart.is_none()
            && !given_env
            && options.cpu_limit.is_none()
            && options.memory_limit.is_none()
            && options.output_file.is_none()
        {
            return Ok(None);
        }
        self.new_meta(options, id, spec).map(Some)
    }

    /// [`meta_for`](Self::meta_for) for a job that uses something.
    fn new_meta(
        &self,
        options: &JobOptions,
        id: JobId,
        spec: Option<&ProcessSpec>,
    ) -> Result<Meta> {
        let timeout = options.timeout.or(self.config.default_timeout);
        let reminder = options.reminder.or(self.config.reminder);
        let mut meta = Meta {
            owner: options.owner.as_deref().map(Arc::from),
            labels: options.labels.clone(),
            timeout,
            timeout_grace: options.timeout_grace.unwrap_or(self.config.timeout_grace),
            orphans: options.orphans,
            quiet: options.quiet,
            reminder,
            restart: options.restart.clone(),
            cpu_limit: options.cpu_limit,
            memory_limit: options.memory_limit,
            ..Meta::default()
        };
        if let Some(file) = &options.output_file {
            let out = OutputTarget::create(file, options.keep_output_file).map_err(|source| {
                Error::Io {
                    context: "creating the output file".into(),
                    source,
                }
            })?;
            meta.output = Some(out);
        }
        if let Some(s) = spec {
            meta.cwd.clone_from(&s.cwd);
            meta.env.clone_from(&s.env);
            meta.env_clear = s.env_clear;
        }
        if let Some(parent) = options.parent {
            let pm = self.link(parent, id)?;
            meta.parent = Some(parent);
            meta.depth = pm.0;
            if meta.owner.is_none() {
                meta.owner = pm.1;
            }
        }
        Ok(meta)
    }

    /// Checks the limits for a new child `id` of `parent` and enters it in
    /// the index; returns the child's depth and the parent's owner.
    fn link(&self, parent: JobId, id: JobId) -> Result<(usize, Option<Arc<str>>)> {
        let mut lineage = lock(&self.lineage);
        let t = lock(&self.table);
        let core = match t.jobs.get(&parent) {
            None => return Err(Error::NoSuchJob(parent)),
            Some(c) if c.state().is_finished() => return Err(Error::JobFinished(parent)),
            Some(c) => Arc::clone(c),
        };
        let depth = core.meta().map_or(0, |m| m.depth) + 1;
        if let Some(limit) = self.config.max_depth {
            if depth > limit {
                return Err(Error::DepthLimit { parent, limit });
            }
        }
        // A child not in the table (yet) is being spawned: it counts as live.
        let live = |j: &JobId| t.jobs.get(j).is_none_or(|c| !c.state().is_finished());
        if let Some(limit) = self.config.max_children {
            let n = lineage
                .kids
                .get(&parent)
                .map_or(0, |k| k.iter().filter(|j| live(j)).count());
            if n >= limit {
                return Err(Error::ChildrenLimit { parent, limit });
            }
        }
        if let Some(limit) = self.config.max_descendants {
            let mut ancestor = Some(parent);
            while let Some(a) = ancestor {
                if lineage.descendants(a).iter().filter(|j| live(j)).count() >= limit {
                    return Err(Error::DescendantsLimit { ancestor: a, limit });
                }
                ancestor = lineage.parent_of.get(&a).copied();
            }
        }
        let now = Instant::now();
        if let Some((count, window)) = self.config.spawn_rate {
            let recent = lineage.spawns.entry(parent).or_default();
            while recent
                .front()
                .is_some_and(|&t0| now.duration_since(t0) >= window)
            {
                recent.pop_front();
            }
            if recent.len() >= count as usize {
                return Err(Error::SpawnRate {
                    parent,
                    count,
                    window,
                });
            }
            recent.push_back(now);
        }
        drop(t);
        lineage.kids.entry(parent).or_default().push(id);
        lineage.parent_of.insert(id, parent);
        let owner = core.meta().and_then(|m| m.owner.clone());
        Ok((depth, owner))
    }

    /// Takes a child whose spawn failed out of the index again.
    pub(super) fn unlink(&self, id: JobId, meta: Option<&Meta>) {
        if let Some(out) = meta.and_then(|m| m.output.as_ref()) {
            out.discard();
        }
        if meta.is_some_and(|m| m.parent.is_some()) {
            lock(&self.lineage).forget(id);
        }
    }

    /// Forgets removed records in the lineage index (inline: usually
    /// none were removed).
    #[inline]
    pub(super) fn forget_lineage(&self, ids: &[JobId]) {
        if !ids.is_empty() {
            self.forget_lineage_of(ids);
        }
    }

    fn forget_lineage_of(&self, ids: &[JobId]) {
        let mut lineage = lock(&self.lineage);
        if lineage.parent_of.is_empty() && lineage.kids.is_empty() && lineage.tags.is_empty() {
            return;
        }
        for &id in ids {
            lineage.forget(id);
        }
    }

    /// Tags the job's events with its owner (before they are published)
    /// and indexes it by owner and labels.
    pub(super) fn register(&self, core: &JobCore) {
        let Some(meta) = core.meta() else { return };
        if meta.owner.is_none() && meta.labels.is_empty() {
            return;
        }
        let id = core.id();
        if let Some(owner) = &meta.owner {
            self.events.set_owner(id, Arc::clone(owner));
        }
        let mut lineage = lock(&self.lineage);
        if let Some(owner) = &meta.owner {
            lineage
                .by_owner
                .entry(Arc::clone(owner))
                .or_default()
                .insert(id);
        }
        for (k, v) in &meta.labels {
            lineage
                .by_label
                .entry(k.clone())
                .or_default()
                .entry(v.clone())
                .or_default()
                .insert(id);
        }
        let tags = Tags {
            owner: meta.owner.clone(),
            labels: meta
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        lineage.tags.insert(id, tags);
    }

    /// Links a job just entered in the table to its parent: a future job
    /// parent's signals reach it from now on, and a child of a stopped
    /// future job is stopped at once.
    pub(super) fn adopt(&self, child: &Arc<JobCore>) {
        let Some(parent) = child.meta().and_then(|m| m.parent) else {
            return;
        };
        let parent = lock(&self.table).jobs.get(&parent).cloned();
        let Some(ctl) = parent.and_then(|p| p.future_control()) else {
            return;
        };
        if ctl.adopt(Arc::clone(child)) {
            let _ = crate::control::signal_core(&self.events, child, Signal::STOP);
            // A CONT that came between our look and our STOP missed the child.
            if !ctl.is_paused() {
                let _ = crate::control::signal_core(&self.events, child, Signal::CONT);
            }
        }
    }
}

impl Lineage {
    fn forget(&mut self, id: JobId) {
        if let Some(p) = self.parent_of.remove(&id) {
            if let Some(k) = self.kids.get_mut(&p) {
                k.retain(|&c| c != id);
                if k.is_empty() {
                    self.kids.remove(&p);
                }
            }
        }
        self.spawns.remove(&id);
        if let Some(tags) = self.tags.remove(&id) {
            if let Some(owner) = tags.owner {
                if let Some(set) = self.by_owner.get_mut(&owner) {
                    set.remove(&id);
                    if set.is_empty() {
                        self.by_owner.remove(&owner);
                    }
                }
            }
            for (k, v) in tags.labels {
                if let Some(values) = self.by_label.get_mut(&k) {
                    if let Some(set) = values.get_mut(&v) {
                        set.remove(&id);
                        if set.is_empty() {
                            values.remove(&v);
                        }
                    }
                    if values.is_empty() {
                        self.by_label.remove(&k);
                    }
                }
            }
        }
        // Its children stay in the index under it: their parent is gone
        // from the table, not from their info.
    }

    /// Every descendant of `id`, parents before their children.
    fn descendants(&self, id: JobId) -> Vec<JobId> {
        let mut out = Vec::new();
        let mut todo = vec![id];
        while let Some(j) = todo.pop() {
            if let Some(k) = self.kids.get(&j) {
                for &c in k {
                    out.push(c);
                    todo.push(c);
                }
            }
        }
        out
    }
}

impl Kernel {
    /// After a job entered the table: its link to a future job parent,
    /// and its timeout's timer.
    /// Called within the runtime (spawning checked for one).
    pub(super) fn supervise_started(&self, core: &Arc<JobCore>) {
        let Some(meta) = core.meta() else { return };
        self.inner.adopt(core);
        if let Some(out) = &meta.output {
            core.stdout().attach_tee(Arc::clone(&out.tee));
            core.stderr().attach_tee(Arc::clone(&out.tee));
        }
        if let (Some(p), true) = (
            core.proc(),
            meta.cpu_limit.is_some() || meta.memory_limit.is_some(),
        ) {
            let enforcer = resources::Enforcer::new(
                meta.cpu_limit,
                meta.memory_limit,
                self.inner.config.memory_cgroups,
            );
            for &pid in &p.pids {
                enforcer.limit_member(pid);
            }
            let core = Arc::clone(core);
            let events = Arc::clone(&self.inner.events);
            let reap = self.reap_now();
            let grace = meta.timeout_grace;
            tokio::spawn(async move {
                if enforcer.watch(&core, &events).await.is_some() {
                    request_stop(&events, &core, StopCause::Limit);
                    let _ = terminate_core(&events, &core, grace, Some(reap)).await;
                }
                // The job's memory cgroup goes with the enforcer, now.
                drop(enforcer);
            });
        }
        if let Some(every) = meta.reminder.filter(|d| !d.is_zero()) {
            self.remind(core, every);
        }
        if let Some(after) = meta.timeout {
            let core = Arc::clone(core);
            let events = Arc::clone(&self.inner.events);
            let reap = self.reap_now();
            let grace = meta.timeout_grace;
            tokio::spawn(async move {
                tokio::select! {
                    _ = core.wait_for(JobState::is_finished) => {}
                    () = tokio::time::sleep(after) => {
                        request_stop(&events, &core, StopCause::Timeout);
                        let _ = terminate_core(&events, &core, grace, Some(reap)).await;
                    }
                }
            });
        }
    }

    /// Publishes `StillRunning` every `every` while the job runs.
    fn remind(&self, core: &Arc<JobCore>, every: Duration) {
        let core = Arc::clone(core);
        let events = Arc::clone(&self.inner.events);
        tokio::spawn(async move {
            let mut next = Instant::now() + every;
            loop {
                tokio::select! {
                    _ = core.wait_for(JobState::is_finished) => return,
                    () = tokio::time::sleep_until(next) => {}
                }
                if core.state() == JobState::Running {
                    events.publish(JobEvent::StillRunning(core.id()));
                }
                next += every;
            }
        });
    }

    /// The ids of a job's children still in the table, in spawn order.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`].
    pub fn children(&self, id: JobId) -> Result<Vec<JobId>> {
        let lineage = lock(&self.inner.lineage);
        let t = lock(&self.inner.table);
        if !t.jobs.contains_key(&id) {
            return Err(Error::NoSuchJob(id));
        }
        Ok(lineage
            .kids
            .get(&id)
            .map(|k| {
                k.iter()
                    .copied()
                    .filter(|c| t.jobs.contains_key(c))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The ids of a job's whole subtree still in the table (the job
    /// excluded), parents before their children.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`].
    pub fn subtree(&self, id: JobId) -> Result<Vec<JobId>> {
        let lineage = lock(&self.inner.lineage);
        let t = lock(&self.inner.table);
        if !t.jobs.contains_key(&id) {
            return Err(Error::NoSuchJob(id));
        }
        Ok(lineage
            .descendants(id)
            .into_iter()
            .filter(|c| t.jobs.contains_key(c))
            .collect())
    }

    /// Removes a finished job and its whole finished subtree; returns the
    /// ids removed (children first). Nothing is removed unless all can be.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`]; [`Error::StillRunning`] naming a job of the
    /// subtree that is live (or leaves processes).
    pub fn remove_subtree(&self, id: JobId) -> Result<Vec<JobId>> {
        let mut ids = self.subtree(id)?;
        ids.insert(0, id);
        {
            let t = lock(&self.inner.table);
            for j in &ids {
                if let Some(c) = t.jobs.get(j) {
                    if !c.state().is_finished() || leaves_processes(c) {
                        return Err(Error::StillRunning(*j));
                    }
                }
            }
        }
        ids.reverse();
        let mut removed = Vec::with_capacity(ids.len());
        for j in ids {
            if self.remove(j).is_ok() {
                removed.push(j);
            }
        }
        Ok(removed)
    }

    /// Terminates the live jobs of `core`'s subtree in tasks of their own,
    /// if its orphan policy says to cascade.
    pub(super) fn cascade(&self, core: &JobCore, grace: Duration) {
        if core
            .meta()
            .is_none_or(|m| m.orphans != OrphanPolicy::Cascade)
        {
            return;
        }
        let Ok(ids) = self.subtree(core.id()) else {
            return;
        };
        for id in ids {
            let Ok(job) = self.job(id) else { continue };
            if job.state().is_finished() {
                continue;
            }
            request_stop(&self.inner.events, &job.core, StopCause::Embedder);
            let events = Arc::clone(&self.inner.events);
            let reap = self.reap_now();
            tokio::spawn(async move {
                let _ = terminate_core(&events, &job.core, grace, Some(reap)).await;
            });
        }
    }

    /// Handles to the jobs indexed under `owner` and (if given) the label
    /// `key=value`, by ascending id.
    pub(crate) fn jobs_tagged(&self, owner: Option<&str>, label: Option<(&str, &str)>) -> Vec<Job> {
        let lineage = lock(&self.inner.lineage);
        let by_label = label.map(|(k, v)| lineage.by_label.get(k).and_then(|values| values.get(v)));
        let by_owner = owner.map(|o| lineage.by_owner.get(o));
        let ids: Vec<JobId> = match (by_owner, by_label) {
            (Some(None), _) | (_, Some(None)) => Vec::new(),
            (Some(Some(o)), Some(Some(l))) => o.intersection(l).copied().collect(),
            (Some(Some(set)), None) | (None, Some(Some(set))) => set.iter().copied().collect(),
            (None, None) => Vec::new(),
        };
        drop(lineage);
        let t = lock(&self.inner.table);
        let cores: Vec<_> = ids
            .iter()
            .filter_map(|id| t.jobs.get(id).cloned())
            .collect();
        drop(t);
        cores.into_iter().map(|c| self.handle(c)).collect()
    }

    /// Handles to the jobs with the label `key=value`, by ascending id.
    pub fn jobs_labelled(&self, key: &str, value: &str) -> Vec<Job> {
        self.jobs_tagged(None, Some((key, value)))
    }

    /// A handle that sees only `owner`'s jobs (see [`Scope`](crate::Scope)).
    pub fn scope(&self, owner: impl Into<String>) -> crate::Scope {
        crate::Scope::new(self.clone(), Arc::from(owner.into()))
    }

    /// Terminates `job` in a task of its own (as [`Kernel::terminate`],
    /// cascade included) and waits for it; for a scope's bulk terminate.
    pub(crate) async fn terminate_job(&self, job: &Job, grace: Duration) -> Result<JobInfo> {
        self.cascade(&job.core, grace);
        terminate_detached(
            Arc::clone(&self.inner.events),
            Arc::clone(&job.core),
            grace,
            Some(self.reap_now()),
        )
        .await
    }
}
