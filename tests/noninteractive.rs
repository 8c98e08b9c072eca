//! `corral -c`, scripts and stdin: every builtin and every error, by their
//! output and exit status.
//!
//! A background `sleep 100` stands for "a job that is still running": it
//! outlives the run's deadline, so it cannot end on its own while a script
//! still expects it to run, however loaded the machine; the script (or
//! corral's exit) kills it.

use crate::util::run::*;

#[test]
fn quoting_variables_and_status() {
    let r = corral(r#"X=hi; echo "$X" 'lit $X' a\ b; false; echo $?; true && echo and || echo or"#);
    assert_eq!(r.stdout, "hi lit $X a b\n1\nand\n");
    assert_eq!(r.status, 0);
    assert_eq!(corral("exit 7").status, 7);
    assert_eq!(corral("sh -c 'exit 5'").status, 5);
}

#[test]
fn command_not_found_and_not_executable() {
    let r = corral("nosuchcmd-xyz arg; echo $?");
    assert_eq!(
        r.stderr,
        "corral: line 1: nosuchcmd-xyz: command not found\n"
    );
    assert_eq!(r.stdout, "127\n");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("noexec");
    std::fs::write(&f, "echo no\n").unwrap();
    let r = corral(&format!("{}", f.display()));
    assert_eq!(r.status, 126);
    assert!(r.stderr.contains("Permission denied"), "{}", r.stderr);
}

#[test]
fn syntax_errors_run_nothing() {
    let r = corral("echo ran; echo 'unterminated");
    assert_eq!(r.stdout, "");
    assert_eq!(r.status, 2);
    assert_eq!(
        r.stderr,
        "corral: -c: line 1: unexpected EOF while looking for matching `''\n"
    );
    let r = corral("echo a | | echo b");
    assert_eq!(r.status, 2);
    assert_eq!(
        r.stderr,
        "corral: -c: line 1: syntax error near unexpected token `|'\ncorral: -c: line 1: `echo a | | echo b'\n"
    );
}

#[test]
fn script_file_errors_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.sh");
    std::fs::write(&f, "echo one\necho two )\n").unwrap();
    let r = corral_with(&[f.to_str().unwrap()], b"", None);
    assert_eq!(r.status, 2);
    // As bash reads a script, the line before the error ran.
    assert_eq!(r.stdout, "one\n");
    assert_eq!(
        r.stderr,
        format!(
            "{0}: line 2: syntax error near unexpected token `)'\n{0}: line 2: `echo two )'\n",
            f.display()
        )
    );
}

#[test]
fn script_on_stdin_and_binary_garbage() {
    let r = corral_with(&[], b"echo from stdin\necho $((\n", None);
    assert_eq!(r.status, 2, "{r:?}");
    let r = corral_with(&[], b"echo from stdin\n", None);
    assert_eq!(r.stdout, "from stdin\n");
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    let r = corral_with(&[], &garbage, None);
    assert_ne!(r.status, 101, "no panic: {}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn a_one_megabyte_line() {
    // Too long for argv: through stdin, as a script.
    let word = "a".repeat(1 << 20);
    let r = corral_with(&[], format!("echo {word} | wc -c\n").as_bytes(), None);
    assert_eq!(r.stdout.trim(), ((1 << 20) + 1).to_string(), "{}", r.stderr);
}

#[test]
fn pipelines_mix_builtins_and_externals() {
    let r = corral("echo hello | tr a-z A-Z");
    assert_eq!(r.stdout, "HELLO\n");
    let r = corral("printf 'a\\nb\\nc\\n' | cat | wc -l");
    assert_eq!(r.stdout.trim(), "3");
    let r = corral("echo x | cat | cat");
    assert_eq!(r.stdout, "x\n");
    let r = corral("sh -c 'exit 3' | true; echo $?");
    assert_eq!(r.stdout, "0\n");
}

#[test]
fn redirections() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let r = corral(&format!(
        "cd {d}; echo one > f; echo two >> f; cat < f; sh -c 'echo e >&2' 2> err; cat err; \
         sh -c 'echo o; echo e2 >&2' > both 2>&1; cat both; echo all &> amp; cat amp"
    ));
    assert_eq!(r.stdout, "one\ntwo\ne\no\ne2\nall\n", "{}", r.stderr);
    let r = corral("cat < /no/such/file; echo $?");
    assert_eq!(
        r.stderr,
        "corral: line 1: /no/such/file: No such file or directory\n"
    );
    assert_eq!(r.stdout, "1\n");
    let r = corral(&format!("echo x > {d}"));
    assert_eq!(r.status, 1);
    assert!(r.stderr.contains("Is a directory"), "{}", r.stderr);
}

#[test]
fn cd_pwd_export_unset_and_globs() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["b.txt", "a.txt", "c.md"] {
        std::fs::write(dir.path().join(f), "").unwrap();
    }
    let d = dir.path().canonicalize().unwrap();
    let r = corral(&format!(
        "cd {}; pwd; echo *.txt; echo *.none; export FOO=bar; sh -c 'echo $FOO'; unset FOO; sh -c 'echo ${{FOO:-gone}}'",
        d.display()
    ));
    assert_eq!(
        r.stdout,
        format!("{}\na.txt b.txt\n*.none\nbar\ngone\n", d.display())
    );
    let r = corral("cd /no/such/dir");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.stderr,
        "corral: line 1: cd: /no/such/dir: No such file or directory\n"
    );
}

#[test]
fn background_jobs_status_and_wait() {
    let r = corral(
        "sleep 100 & cat /v/jobs/1/status; ls /v/jobs; kill %1; wait %1; echo $?; cat /v/jobs/1/status",
    );
    assert_eq!(r.stdout, "running\n1\n143\nkilled:143\n", "{}", r.stderr);
    let r = corral("sh -c 'exit 3' & wait %1; echo $?; cat /v/jobs/1/status; wait %1; echo $?");
    assert_eq!(r.stdout, "3\nfailed:3\n3\n");
    let r = corral("wait %3; echo $?");
    assert_eq!(r.stderr, "corral: line 1: wait: %3: no such job\n");
    assert_eq!(r.stdout, "127\n");
}

/// GNU `tail -f` on the mount follows a live job; `--pid` ends it with the job.
#[test]
fn tail_follows_a_job_until_it_ends() {
    let r = corral(&format!(
        "set -o bgquiet; sh {} 3 0.2 & tail -n +1 -s 0.1 -f --pid=$! /v/jobs/1/stdout; wait %1; cat /v/jobs/1/status",
        fixture("slow_printer.sh")
    ));
    assert_eq!(r.stdout, "line 1\nline 2\nline 3\ndone:0\n", "{}", r.stderr);
    let r = corral("set -o bgquiet; printf '1\\n2\\n3\\n' & wait; tail -n 2 /v/jobs/1/stdout");
    assert_eq!(r.stdout, "2\n3\n");
}

#[test]
fn job_output_through_v_jobs() {
    let r = corral(
        "set -o bgquiet; sh -c 'echo out; echo err >&2' & wait; cat /v/jobs/1/stdout; cat /v/jobs/1/stderr; cat /v/jobs/1/command; cat /v/jobs/1/stdout | wc -c",
    );
    assert_eq!(r.stdout, "out\nerr\nsh -c 'echo out; echo err >&2'\n4\n");
    let r = corral("set -o bgquiet; echo from a builtin & wait; cat /v/jobs/1/stdout; cat /v/jobs/1/pid | wc -c");
    assert_eq!(r.stdout, "from a builtin\n0\n");
    let r =
        corral("set -o bgquiet; ( echo grouped; sh -c 'echo inner' ) & wait; cat /v/jobs/1/stdout");
    assert_eq!(r.stdout, "grouped\ninner\n");
    // The program names the path it was given: the mount's.
    let r = corral("cat /v/jobs/99/status");
    assert!(
        r.stderr.starts_with("cat: /")
            && r.stderr
                .ends_with("/v/jobs/99/status: No such file or directory\n"),
        "{}",
        r.stderr
    );
    assert_eq!(r.status, 1);
}

#[test]
fn jobs_listing_formats() {
    let r =
        corral("sleep 100 & sleep 101 & jobs; jobs -p | wc -l; jobs %1; jobs %9; kill %1 %2; wait");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "[1]-  Running                 sleep 100 &");
    assert_eq!(lines[1], "[2]+  Running                 sleep 101 &");
    assert_eq!(lines[2].trim(), "2");
    assert_eq!(lines[3], "[1]-  Running                 sleep 100 &");
    assert_eq!(r.stderr, "corral: line 1: jobs: %9: no such job\n");
}

#[test]
fn kill_builtin_and_its_errors() {
    let r = corral("kill -l 143; kill -l TERM; kill -l | head -n 1");
    assert_eq!(r.stdout.lines().take(2).collect::<Vec<_>>(), ["TERM", "15"]);
    assert!(r.stdout.contains("1) SIGHUP"), "{}", r.stdout);
    let r = corral("kill");
    assert_eq!(r.status, 2);
    assert!(r.stderr.starts_with("kill: usage: kill [-s sigspec"));
    let r = corral("sleep 100 & kill -s QQQ %1; echo $?; kill %9; echo $?; kill abc; echo $?; kill 999999; echo $?; kill -9 %1");
    assert_eq!(r.stdout, "1\n1\n1\n1\n");
    assert_eq!(
        r.stderr,
        "corral: line 1: kill: QQQ: invalid signal specification\n\
         corral: line 1: kill: %9: no such job\n\
         corral: line 1: kill: abc: arguments must be process or job IDs\n\
         corral: line 1: kill: (999999) - No such process\n"
    );
}

#[test]
fn fg_and_bg_need_job_control() {
    let r = corral("fg; echo $?; bg; echo $?");
    assert_eq!(
        r.stderr,
        "corral: line 1: fg: no job control\ncorral: line 1: bg: no job control\n"
    );
    assert_eq!(r.stdout, "1\n1\n");
}

#[test]
fn disown_and_exit_cleanup() {
    // A job left running at exit is terminated; a disowned one is left alone.
    let r = corral("sleep 100 & echo $!; sleep 100 & echo $!; disown %2; jobs");
    let pids: Vec<u32> = r
        .stdout
        .lines()
        .take(2)
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(
        r.stdout.lines().nth(2),
        Some("[1]+  Running                 sleep 100 &")
    );
    eventually("the job is terminated at exit", || !alive(pids[0]));
    assert!(alive(pids[1]), "disowned job survives");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pids[1] as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
}

#[test]
fn sigpipe_does_not_kill_corral() {
    let r = corral(
        "set -o bgquiet; head -c 3000000 /dev/zero & wait; cat /v/jobs/1/stdout | head -c 1 | wc -c; echo alive",
    );
    assert_eq!(r.stdout, "1\nalive\n", "{}", r.stderr);
}

#[test]
fn help_and_version() {
    let r = corral_with(&["--version"], b"", None);
    assert!(r.stdout.starts_with("corral "));
    let r = corral("help jobs");
    assert!(
        r.stdout.starts_with("jobs: jobs [-l|-p|-r|-s]"),
        "{}",
        r.stdout
    );
    let r = corral_with(&["--bogus"], b"", None);
    assert_eq!(r.status, 2);
}

#[test]
fn wait_n_returns_the_first_to_finish() {
    let r = corral(
        "sleep 100 & sh -c 'exit 4' & wait -n; echo $?; kill %1; wait -n; echo $?; wait -n; echo $?",
    );
    assert_eq!(r.stdout, "4\n143\n127\n", "{}", r.stderr);
}

#[test]
fn jobs_long_shows_pids_and_pipeline_members() {
    let r = corral("sleep 100 | cat & jobs -l; kill %1");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(lines[0].starts_with("[1]+ "), "{}", lines[0]);
    assert!(
        lines[0].ends_with(" Running                 sleep 100"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].ends_with("                       | cat &"),
        "{}",
        lines[1]
    );
}

#[test]
fn stderr_redirections_apply_to_background_jobs_and_errors() {
    let r = corral(
        "set -o bgquiet; sh -c 'echo e >&2' 2>&1 & wait; cat /v/jobs/1/stdout; seq 2 >&2 & wait; cat /v/jobs/2/stderr",
    );
    assert_eq!(r.stdout, "e\n1\n2\n", "{}", r.stderr);
    let r = corral("set -o bgquiet; (sh -c 'for i in 1 2 3; do echo o$i; echo e$i >&2; done' 2>&1) & wait; cat /v/jobs/1/stdout");
    assert_eq!(r.stdout, "o1\ne1\no2\ne2\no3\ne3\n", "2>&1 keeps the order");
    let r = corral("nonexist-xyz 2>/dev/null; echo $?");
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("127\n", ""));
}

#[test]
fn a_missing_program_fails_alone_in_a_pipeline() {
    let r = corral("nonexist-xyz | wc -l; echo $?");
    assert_eq!(r.stdout.split_whitespace().collect::<Vec<_>>(), ["0", "0"]);
    assert_eq!(
        r.stderr,
        "corral: line 1: nonexist-xyz: command not found\n"
    );
    let r = corral("./nonexist-xyz");
    assert_eq!(
        r.stderr,
        "corral: line 1: ./nonexist-xyz: No such file or directory\n"
    );
    assert_eq!(r.status, 127);
}

/// Issue 8: `kill` goes through the kernel, so it sends real-time signals to
/// a group and accepts every name `/v/jobs/N/ctl` accepts (`IOT`).
#[test]
fn issue_8_kill_sends_realtime_signals_to_groups_and_takes_iot() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ready");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let rt1 = libc::SIGRTMIN() + 1;
    let script = format!(
        "set -o bgquiet; sh -c 'trap \"exit 7\" {rt1}; echo ready > {f}; while :; do sleep 1; done' & \
         cat {f}; kill -s RTMIN+1 -- -$!; wait $!; echo $?; \
         sleep 100 & kill -s IOT %2; wait %2; echo $?",
        f = fifo.display()
    );
    let r = corral(&script);
    assert_eq!(r.stdout, "ready\n7\n134\n", "stderr: {}", r.stderr);
    // A script reports a job killed by SIGABRT, as bash does.
    let report = r
        .stderr
        .strip_prefix("corral: line 1: ")
        .unwrap_or_default();
    assert!(
        report.ends_with(" Aborted                 sleep 100\n"),
        "{}",
        r.stderr
    );
}

/// Issue 8: a foreground command is a hidden record, not a numbered job:
/// after `true; sleep 2 &` the job is `[1]`, and `/v/jobs/1` is that job.
#[test]
fn issue_8_foreground_commands_use_no_job_number() {
    let r = corral(
        "/bin/true; sh -c 'exit 3'; sleep 30 & jobs; cat /v/jobs/1/command; ls /v/jobs; kill %1",
    );
    assert_eq!(
        r.stdout, "[1]+  Running                 sleep 30 &\nsleep 30\n1\n",
        "stderr: {}",
        r.stderr
    );
}

/// Runs `script` under `bash -c` and `corral -c` and compares stdout, stderr
/// (bash's `bash:` read as `corral:`) and the status.
fn same_as_bash(script: &str) {
    let b = std::process::Command::new("bash")
        .args(["-c", script])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash runs");
    let expected = Run {
        stdout: String::from_utf8_lossy(&b.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&b.stderr).replace("bash: ", "corral: "),
        status: b.status.code().unwrap_or(-1),
    };
    let r = corral(script);
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str(), r.status),
        (
            expected.stdout.as_str(),
            expected.stderr.as_str(),
            expected.status
        ),
        "script: {script}"
    );
}

#[test]
fn issue_10_control_flow_runs_as_in_bash() {
    for script in [
        "for i in 1 2 3; do if [ $i = 2 ]; then continue; fi; echo $i; done",
        "for i in 1 2 3; do for j in a b; do [ $j = b ] && break 2; echo $i$j; done; done",
        "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i",
        "until false; do echo once; break; done",
        "if false; then echo no; elif true; then echo yes; else echo else; fi",
        "case x in a) echo a;; x) echo x;& y) echo y;; z) echo z;; esac",
        "case ab in a*) echo 1;;& *b) echo 2;; *) echo 3;; esac",
        "for ((i=0;i<3;i++)); do printf %s $i; done; echo",
        "((x=5, x>3)) && echo big; (( 0 )); echo $?",
        "! true; echo $?; ! false; echo $?",
        "set -- a 'b c'; for x; do echo \"[$x]\"; done",
        "[[ abc == a* ]] && echo match; [[ abc =~ b(c) ]] && echo ${BASH_REMATCH[1]}",
    ] {
        same_as_bash(script);
    }
}

#[test]
fn issue_10_functions_locals_and_recursion() {
    for script in [
        "f() { local x=1; echo $x; }; x=0; f; echo $x",
        "f() { echo $FUNCNAME $#; g; }; g() { echo ${FUNCNAME[@]}; }; f a b",
        "f() { return 7; }; f; echo $?",
        "function g { echo \"$@\"; }; g 'a b' c",
        "fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 6",
        "f() { x=inner; }; x=outer; f; echo $x",
        "f() { echo out; } ; f > /dev/null; echo $?",
        "set -- a b c; shift; echo $# $@; shift 5; echo $?",
    ] {
        same_as_bash(script);
    }
    // bash has no default limit (it overflows its stack); corral stops cleanly.
    let r = corral("f() { f; }; f; echo after $?");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        // Inside a function bash names the `-c` text `environment`.
        "environment: line 1: f: maximum function nesting level exceeded (1000)\n"
    );
    assert_eq!(r.status, 1);
}

#[test]
fn issue_10_subshells_and_substitutions() {
    for script in [
        "(x=5; cd /; echo $x $PWD); echo ${x:-unset}",
        "(exit 3); echo $?",
        "x=$(echo a; exit 4); echo $? $x",
        "v=$(printf 'a\\nb\\n\\n'); echo \"[$v]\"",
        "echo `echo back` $(echo $(echo nested))",
        "{ echo a; echo b; } | cat",
        "false | true; echo $? ${PIPESTATUS[@]}",
        "set -o pipefail; false | true; echo $?",
        "x=1; eval 'x=2; echo $x'; echo $x",
        "trap 'echo bye' EXIT; echo main",
        "(trap 'echo sub' EXIT; echo in); echo out",
    ] {
        same_as_bash(script);
    }
}

#[test]
fn issue_10_redirections_and_here_documents() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    for script in [
        format!("exec 3>{d}/f3; echo to3 >&3; exec 3>&-; cat {d}/f3"),
        "echo x >&7; echo $?".to_string(),
        "cat <<EOF\na $((1+2)) $HOME\nEOF".to_string(),
        "cat <<'EOF'\na $((1+2))\nEOF".to_string(),
        "cat <<-EOF\n\ttabbed\n\tEOF".to_string(),
        "cat <<<\"here string\"".to_string(),
        format!("echo a > {d}/nc; set -C; echo b > {d}/nc; echo $?; echo c >| {d}/nc; cat {d}/nc"),
        format!("exec 4<>{d}/rw; echo rw >&4; cat {d}/rw"),
        format!("{{ echo out; echo err >&2; }} > {d}/both 2>&1; cat {d}/both"),
        "echo e 2>&1 >/dev/null | cat".to_string(),
    ] {
        same_as_bash(&script);
    }
}

#[test]
fn issue_10_variables_options_and_builtins() {
    for script in [
        "a=(1 2 3); echo ${#a[@]} ${a[1]}; a[5]=x; echo ${!a[@]}; a+=(y); echo ${a[@]}",
        "declare -i n=5; n+=3; echo $n; declare -p n",
        "readonly r=1; r=2; echo after",
        "x=1; export x; sh -c 'echo $x'; x=2 sh -c 'echo $x'; echo $x",
        "unset x; echo ${x-gone}; x=; echo ${x:-empty}",
        "let 'a=2*3' b=0; echo $? $a",
        "umask 077; umask",
        "type echo; type nosuch; echo $?",
        "command -v echo; command -v sh; f() { :; }; command -v f",
        "echo \"$-\"; set -u; echo $nope; echo after",
        "set -e; false || echo recovered; if false; then :; fi; false; echo no",
        "printf '%s-%s\\n' a b c; printf -v v '%03d' 7; echo $v",
        "test 1 -lt 2 && [ a = a ] && echo ok; [ 1 -gt ]; echo $?",
        "IFS=:; x=a:b:c; for i in $x; do echo $i; done",
        "echo {a,b}{1..2} ${x:-d} $((2**10))",
        "set -x; echo traced; x=1",
    ] {
        same_as_bash(script);
    }
}

#[test]
fn issue_10_positional_parameters_in_c_and_script_mode() {
    let r = corral_with(
        &["-c", "echo $0 $# $1 \"$2\"", "name", "a", "b c"],
        b"",
        None,
    );
    assert_eq!(r.stdout, "name 2 a b c\n");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.sh");
    std::fs::write(&f, "echo $# \"$@\"\n").unwrap();
    let r = corral_with(&[f.to_str().unwrap(), "x", "y"], b"", None);
    assert_eq!(r.stdout, "2 x y\n");
    let r = corral_with(&["-s", "p", "q"], b"echo $2 $1\n", None);
    assert_eq!(r.stdout, "q p\n");
    let r = corral_with(&["-e", "-c", "false; echo no"], b"", None);
    assert_eq!((r.stdout.as_str(), r.status), ("", 1));
    let r = corral_with(&["-o", "pipefail", "-c", "false | true"], b"", None);
    assert_eq!(r.status, 1);
}

#[test]
fn issue_10_stdin_script_is_read_command_by_command() {
    // `cat` reads the rest of the script: those lines are data, not commands.
    let r = corral_with(&[], b"echo first\ncat\necho not-run\n", None);
    assert_eq!(r.stdout, "first\necho not-run\n");
    // From a file on stdin (seekable) too.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.sh");
    std::fs::write(
        &f,
        "read -r line 2>/dev/null || head -n 1 >/dev/null\necho after\n",
    )
    .unwrap();
    let r = std::process::Command::new(corral_bin())
        .stdin(std::fs::File::open(&f).unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&r.stdout), "");
    // A syntax error on line 3 is reported with its line; earlier lines ran.
    let r = corral_with(&[], b"echo one\nif true; then\n fi fi\n", None);
    assert_eq!(r.stdout, "one\n");
    assert_eq!(r.status, 2);
    assert!(r.stderr.contains("line 3: syntax error"), "{}", r.stderr);
}

#[test]
fn issue_10_background_jobs_in_the_language() {
    // Output of background jobs reaches a script's stdout (bash does this).
    let r = corral("echo bg & wait; echo fg");
    assert_eq!(r.stdout, "bg\nfg\n");
    // Every kind of job gets a $! that wait accepts, with the job's status.
    let r = corral("{ exit 3; } & wait $!; echo $?; f() { return 4; }; f & wait $!; echo $?; sh -c 'exit 5' & wait $!; echo $?");
    assert_eq!(r.stdout, "3\n4\n5\n", "{}", r.stderr);
    // A loop makes one job per `&`, and kill $(jobs -p) reaches them.
    let r = corral("for i in 1 2 3; do sleep 100 & done; jobs | wc -l; kill $(jobs -p); wait %3; echo $?; wait; echo $?");
    assert_eq!(
        r.stdout.split_whitespace().collect::<Vec<_>>(),
        ["3", "143", "0"],
        "{}",
        r.stderr
    );
    // set -o bgquiet keeps the output in the ring only.
    let r = corral("set -o bgquiet; echo quiet & wait; cat /v/jobs/1/stdout");
    assert_eq!(r.stdout, "quiet\n");
}

#[test]
fn issue_10_a_shell_that_signals_itself_dies_of_it() {
    for (sig, status) in [
        ("TERM", 143),
        ("HUP", 129),
        ("INT", 130),
        ("PIPE", 141),
        ("USR1", 138),
    ] {
        let r = corral(&format!("kill -{sig} $$; echo after"));
        assert_eq!(
            (r.stdout.as_str(), r.status),
            ("", status),
            "kill -{sig} $$"
        );
    }
    // As the last command too, and the EXIT trap runs first (bash).
    let r = corral("trap 'echo trap' EXIT; kill $$");
    assert_eq!((r.stdout.as_str(), r.status), ("trap\n", 143));
    // A signal that does not kill changes nothing.
    let r = corral("kill -CHLD $$; echo after");
    assert_eq!((r.stdout.as_str(), r.status), ("after\n", 0));
}

#[test]
fn issue_10_sigterm_ends_a_long_script_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("long.sh");
    let mut text = String::from("echo started\n");
    for _ in 0..200_000 {
        text.push_str("x=$((x+1))\n");
    }
    std::fs::write(&f, text).unwrap();
    let mut child = std::process::Command::new(corral_bin())
        .arg(&f)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    assert_eq!(&first, b"started\n");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    // The script would run for minutes: TERM ends it within the deadline.
    let mut status = None;
    eventually("corral to exit after TERM", || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    // Dead of TERM, as bash would be.
    let status = status.unwrap();
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    assert_eq!(status.code().unwrap_or(128 + signal.unwrap_or(0)), 143);
}

#[test]
fn issue_10_stop_and_continue_reach_a_background_group_and_its_processes() {
    // STOP pauses the interpreter and its running process; CONT resumes
    // both: `done` is printed once the job is continued, not before.
    let r = corral(
        "set -o bgquiet; ( sleep 1; echo done ) & sleep 0.2; kill -STOP %1; cat /v/jobs/1/status; \
         cat /v/jobs/1/stdout; kill -CONT %1; wait %1; echo $?; cat /v/jobs/1/stdout",
    );
    assert_eq!(r.stdout, "stopped\n0\ndone\n", "{}", r.stderr);
    // kill %N ends the group's processes too.
    let r = corral("( sleep 100; echo never ) & p=$!; sleep 0.2; kill %1; wait $p; echo $?");
    assert_eq!(r.stdout, "143\n", "{}", r.stderr);
}

#[test]
fn issue_10_an_executable_without_shebang_runs_as_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("plain");
    std::fs::write(&f, "echo script $# \"$1\"\nexit 3\n").unwrap();
    std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let r = corral(&format!("{} 'a b' c; echo st=$?", f.display()));
    assert_eq!(r.stdout, "script 2 a b\nst=3\n", "{}", r.stderr);
}

#[test]
fn issue_10_traps_exit_err_and_signals_the_shell_sends_itself() {
    for script in [
        "trap 'echo err $?' ERR; false; true; echo end",
        "set -e; trap 'echo err' ERR; false; echo no",
        "trap 'echo got TERM' TERM; kill $$; echo after",
        "trap '' INT; kill -INT $$; echo survived",
        "trap 'echo caught' INT; kill -INT $$; echo survived",
        "trap 'echo bye $?' EXIT; (exit 4); exit 2",
        "trap -- 'echo x' EXIT; trap; trap - EXIT; trap",
    ] {
        same_as_bash(script);
    }
}

/// Programs get the descriptors 3 and up that a command redirects, also
/// through `exec`, as in bash.
#[test]
fn issue_10_programs_get_descriptors_three_and_up() {
    for script in [
        "printf 'a\\nb\\n' > f; cat /dev/fd/3 3<f",
        "printf 'x\\n' > f; exec 4<f; cat <&4; exec 5<f; cat /dev/fd/5; exec 5<&-; cat /dev/fd/5 2>/dev/null || echo closed",
        "sh -c 'echo to-three >&3' 3>g; cat g",
        "exec 6>h; sh -c 'echo six >&6'; exec 6>&-; cat h",
    ] {
        // In a scratch directory of its own, removed by the script.
        same_as_bash(&format!(
            "d=$(mktemp -d) && cd \"$d\" || exit 9; {script}; cd / && rm -r \"$d\""
        ));
    }
}

/// A script run by `shell` (corral or bash) from a file, its stdout going to
/// a file the test watches; killed (with its group) if the test fails.
struct Signalled {
    child: Option<std::process::Child>,
    dir: tempfile::TempDir,
}

impl Signalled {
    fn start(shell: &str, script: &str) -> Signalled {
        use std::os::unix::process::CommandExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("s.sh");
        std::fs::write(&f, script).unwrap();
        let out = std::fs::File::create(dir.path().join("out")).unwrap();
        let err = std::fs::File::create(dir.path().join("err")).unwrap();
        let child = std::process::Command::new(shell)
            .arg(&f)
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .unwrap();
        Signalled {
            child: Some(child),
            dir,
        }
    }

    fn child(&mut self) -> &mut std::process::Child {
        self.child.as_mut().unwrap()
    }

    /// Waits until stdout contains `text`; returns it.
    fn expect(&mut self, text: &str) -> String {
        let (out, err) = (self.dir.path().join("out"), self.dir.path().join("err"));
        let child = self.child.as_mut().unwrap();
        wait_file(child, &out, &err, |s| s.contains(text))
    }

    fn send(&mut self, sig: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(self.child().id() as i32);
        nix::sys::signal::kill(pid, sig).unwrap();
    }

    /// Closes the shell's stdin (a `read` in the script returns).
    fn close_stdin(&mut self) {
        drop(self.child().stdin.take());
    }

    /// Waits for the exit; stdout and the status (128 + a signal).
    fn finish(mut self) -> (String, i32) {
        let mut child = self.child.take().unwrap();
        let status = wait_exit(&mut child, "the script");
        let out = std::fs::read_to_string(self.dir.path().join("out")).unwrap();
        (out, status)
    }
}

impl Drop for Signalled {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let group = nix::unistd::Pid::from_raw(-(c.id() as i32));
            let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGKILL);
            let _ = c.wait();
        }
    }
}

/// Runs `scenario` on bash and on corral; they must end the same.
fn like_bash(scenario: impl Fn(&str) -> (String, i32)) {
    let bash = scenario("bash");
    let ours = scenario(corral_bin());
    assert_eq!(ours, bash, "corral (left) against bash (right)");
}

#[test]
fn issue_10_trap_term_from_outside() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(
            shell,
            "trap 'echo got USR1' USR1\ntrap 'echo got TERM; exit 3' TERM\necho ready\n\
             while :; do :; done\n",
        );
        s.expect("ready\n");
        s.send(Signal::SIGUSR1);
        s.expect("got USR1\n");
        s.send(Signal::SIGTERM);
        s.finish()
    });
}

#[test]
fn issue_10_trap_runs_after_the_foreground_program() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(
            shell,
            "trap 'echo got HUP' HUP\nsh -c 'echo ready; read x; echo child done'\necho after\n",
        );
        // The shell waits on its foreground program when the signal comes.
        s.expect("ready\n");
        s.send(Signal::SIGHUP);
        s.close_stdin();
        s.finish()
    });
}

#[test]
fn issue_10_wait_returns_128_plus_n_then_the_trap_runs() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(
            shell,
            "trap 'echo got USR1' USR1\nsleep 100 &\necho ready\nwait\necho \"wait=$?\"\n\
             kill %1\n",
        );
        s.expect("ready\n");
        // Until `wait` has started, each signal only runs the trap.
        let start = std::time::Instant::now();
        while !s.expect("").contains("wait=") {
            s.send(Signal::SIGUSR1);
            assert!(start.elapsed() < DEADLINE, "wait never returned");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let (out, status) = s.finish();
        // Signals sent before `wait` started, or after it returned, only
        // run the trap; the one that came during `wait` ends it with 138
        // after its trap ran.
        let lines: Vec<&str> = out.lines().collect();
        let at = lines.iter().position(|l| *l == "wait=138");
        let at = at.unwrap_or_else(|| panic!("no wait=138 in {out:?}"));
        assert!(at >= 2 && lines[at - 1] == "got USR1", "{out}");
        assert!(
            lines[1..]
                .iter()
                .all(|l| *l == "got USR1" || *l == "wait=138"),
            "{out}"
        );
        ("ready got USR1 wait=138".to_owned(), status)
    });
}

#[test]
fn issue_10_trap_ignore_term_from_outside() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(
            shell,
            "trap '' TERM\necho ready\nread x\nsh -c 'kill -TERM $$; echo child ignores it too'\n\
             trap - TERM\nsh -c 'kill -TERM $$; echo never'\necho survived\nkill $$\necho never\n",
        );
        s.expect("ready\n");
        s.send(Signal::SIGTERM);
        s.close_stdin();
        s.finish()
    });
}

#[test]
fn issue_10_exit_trap_runs_on_term_during_a_foreground_program() {
    // bash 5.2 run from a terminal prints the same and dies of TERM at once
    // (started from this test binary it sometimes waits for its `sleep`).
    let mut s = Signalled::start(
        corral_bin(),
        "trap 'echo bye $?' EXIT\necho ready\nsleep 100\n",
    );
    s.expect("ready\n");
    s.send(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(s.finish(), ("ready\nbye 0\n".to_owned(), 143));
}

#[test]
fn issue_10_ignored_at_entry_stays_ignored() {
    // POSIX: a non-interactive shell cannot trap or reset what it started with ignored.
    let script = "trap 'echo x' USR1; trap -p USR1; kill -USR1 $$; echo after; \
                  trap - USR1; kill -USR1 $$; echo after2; (trap -p)";
    let run = |shell: &str| {
        std::process::Command::new("sh")
            .args(["-c", "trap '' USR1; exec \"$0\" -c \"$1\"", shell, script])
            .output()
            .unwrap()
    };
    let (bash, ours) = (run("bash"), run(corral_bin()));
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&bash.stdout)
    );
    assert_eq!(ours.status.code(), bash.status.code());
    assert_eq!(
        String::from_utf8_lossy(&bash.stdout),
        "trap -- '' SIGUSR1\nafter\nafter2\ntrap -- '' SIGUSR1\n"
    );
}

#[test]
fn issue_11_sighup_during_a_script_gives_129() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(shell, "echo ready\nsleep 100\necho never\n");
        s.expect("ready\n");
        s.send(Signal::SIGHUP);
        s.finish()
    });
}

#[test]
fn issue_11_sigquit_status_131() {
    let r = corral("sh -c 'kill -QUIT $$'; echo $?");
    assert_eq!(r.stdout, "131\n");
    assert!(r.stderr.contains("Quit"), "{}", r.stderr);
}

#[test]
fn issue_11_closed_stdout_or_stderr_never_panics() {
    use std::os::fd::OwnedFd;
    use std::process::Stdio;
    let closed = || -> OwnedFd {
        let (r, w) = nix::unistd::pipe().unwrap();
        drop(r);
        w
    };
    // `corral --help | true`: the help goes nowhere, quietly.
    let st = std::process::Command::new(corral_bin())
        .arg("--help")
        .stdout(Stdio::from(closed()))
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    // The death notice of a child cannot be written: the script goes on.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let st = std::process::Command::new(corral_bin())
        .args([
            "-c",
            "sh -c 'kill -9 $$'; echo \"after $?\" > \"$1\"; exit 3",
            "corral",
        ])
        .arg(&out)
        .stderr(Stdio::from(closed()))
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(3));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "after 137\n");
    // A builtin writing to a closed stdout fails with bash's message and
    // status 1; the shell goes on.
    let r = std::process::Command::new(corral_bin())
        .args(["-c", "echo hi; echo st=$? >&2; printf x; echo st=$? >&2"])
        .stdout(Stdio::from(closed()))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "corral: line 1: echo: write error: Broken pipe\nst=1\n\
         corral: line 1: printf: write error: Broken pipe\nst=1\n"
    );
    assert_eq!(r.status.code(), Some(0));
}
