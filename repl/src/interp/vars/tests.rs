//! The scoped store: frames, locals, arrays, namerefs.

use super::special::DEFAULT_PATH;
use super::*;

#[test]
fn locals_restore_the_callers_value() {
    let mut v = Vars::default();
    v.set("x", "outer");
    v.push_frame();
    v.make_local("x");
    assert_eq!(v.get("x"), None);
    v.set("x", "inner");
    assert_eq!(v.get("x"), Some("inner"));
    v.pop_frame();
    assert_eq!(v.get("x"), Some("outer"));
}

#[test]
fn a_local_of_an_unset_variable_disappears() {
    let mut v = Vars::default();
    v.push_frame();
    v.make_local("y");
    v.set("y", "1");
    v.pop_frame();
    assert_eq!(v.get("y"), None);
}

#[test]
fn readonly_refuses_assignment_and_unset() {
    let mut v = Vars::default();
    v.set("r", "1");
    v.entry("r").readonly = true;
    assert_eq!(
        v.assign("r", Value::Scalar("2".into())),
        Err(VarError::Readonly("r".into()))
    );
    assert_eq!(v.unset("r"), Err(VarError::CannotUnset("r".into())));
    assert_eq!(v.get("r"), Some("1"));
}

#[test]
fn elements_make_a_sparse_array() {
    let mut v = Vars::default();
    v.set("a", "zero");
    v.assign_element("a", 3, "three".into()).unwrap();
    assert_eq!(
        v.value("a"),
        Some(&Value::Indexed(vec![
            (0, "zero".into()),
            (3, "three".into())
        ]))
    );
    assert_eq!(v.get("a"), Some("zero"));
    v.unset_element("a", 0).unwrap();
    assert_eq!(v.get("a"), None);
}

#[test]
fn statuses_replace_the_whole_array() {
    let mut v = Vars::default();
    v.set_statuses("P", &[1, 0, 3]);
    v.set_statuses("P", &[2]);
    assert_eq!(v.value("P"), Some(&Value::Indexed(vec![(0, "2".into())])));
    v.assign_element("P", 4, "x".into()).unwrap();
    v.set_statuses("P", &[5, 16]);
    assert_eq!(
        v.value("P"),
        Some(&Value::Indexed(vec![(0, "5".into()), (1, "16".into())]))
    );
    v.entry("P").readonly = true;
    v.set_statuses("P", &[7]);
    assert_eq!(v.get("P"), Some(""));
}

#[test]
fn a_cycle_of_namerefs_reads_unset_and_refuses_writes() {
    let mut v = Vars::default();
    v.set("a", "b");
    v.set("b", "a");
    v.set_nameref("a", true);
    v.set_nameref("b", true);
    assert_eq!(v.get("a"), None);
    assert_eq!(
        v.assign("a", Value::Scalar("z".into())),
        Err(VarError::Circular("a".into()))
    );
}

#[test]
fn associative_keys_keep_bashs_order() {
    let mut v = Vars::default();
    for k in ["a", "b", "c", "d", "hello", "x"] {
        v.assign_key("A", k, "1".into()).unwrap();
    }
    let Some(Value::Assoc(items)) = v.value("A") else {
        panic!("not an associative array");
    };
    let keys: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
    // What bash 5.2 prints for `${!A[@]}` after the same assignments.
    assert_eq!(keys, ["x", "hello", "d", "c", "b", "a"]);
}

#[test]
fn startup_sets_optind_and_a_path() {
    let mut v = Vars::default();
    v.startup_defaults();
    assert_eq!(v.get("OPTIND"), Some("1"));
    assert_eq!(v.get("PATH"), Some(DEFAULT_PATH));
}

#[test]
fn exporting_marks_the_environment_changed() {
    let mut v = Vars::default();
    v.set("a", "1");
    assert!(!v.changed());
    v.export("a", None);
    assert!(v.changed());
    assert_eq!(v.exported(), vec![("a".to_string(), "1".to_string())]);
}
